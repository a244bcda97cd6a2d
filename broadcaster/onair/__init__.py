"""onair"""
