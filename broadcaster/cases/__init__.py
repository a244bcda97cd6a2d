"""Desk case handling: missing persons (园区寻人), urgent pages, lost property (失物招领), follow-ups (回访)."""
