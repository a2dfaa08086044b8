"""Reading the proof of a publication (a clipping photo, a screenshot, a PDF), offline.

Pure Python at a low floor: no Django models, no settings. ``engine`` turns a file into lines of
text (OCR or a PDF's text layer), ``fields`` finds the outlet, headline, date, page, URL and an
approximate character count in those lines, ``check`` compares them with what a liaison claimed,
and ``similar`` fingerprints the text so near-identical proofs can be found.
"""
