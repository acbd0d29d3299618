"""Commissioning decision support for adult social care: cost against benefit and projectitis risk."""
