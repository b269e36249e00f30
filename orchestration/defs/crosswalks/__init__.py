"""Crosswalks: the district's crosswalk files, checked and written for dbt before every build."""
