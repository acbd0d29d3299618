"""Reusable Streamlit render functions shared by pages."""
