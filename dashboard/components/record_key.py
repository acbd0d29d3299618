"""The decision-record key in the app: from Streamlit secrets ([decision_record] key) when they hold one.

The data layer (dashboard/decision_key.py) never imports streamlit, so the app hands it the secret here, on every
run of a page that checks or adds to the record. Without it the key comes from the environment or the key file,
as for the command line.
"""

from __future__ import annotations

import streamlit as st

from dashboard.files import decision_key

SECRET_SECTION = "decision_record"
SOURCE = "the app's Streamlit secrets ([decision_record] key)"


def configure_from_secrets() -> None:
    try:
        section = st.secrets[SECRET_SECTION] if SECRET_SECTION in st.secrets else None
    except FileNotFoundError:  # no secrets file: the environment or the key file
        section = None
    text = section.get("key") if section is not None else None
    try:
        decision_key.configure(str(text) if text else None, SOURCE)
    except decision_key.DecisionKeyError as exc:
        st.error(f"The decision record cannot be used: {exc}")
        st.stop()
