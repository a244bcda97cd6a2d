"""announcements"""
