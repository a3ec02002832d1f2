"""Rendering 会商研判 digests: group-safe markdown, a chart image, a spreadsheet ledger (台账)."""
