"""The domain and the engine: announcements, approval, queue, playout, scheduler, pages, cases."""
