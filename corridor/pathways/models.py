"""(filled in by this app's work)"""
