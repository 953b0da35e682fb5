"""outreach"""
