"""The learned layer of detection, beside the rules: a per-category linear classifier over
parse features, trained from the corpus's training split (`msglint train`), shipped in
`artifact/`, and used only where its cross-validated precision reached the target.

    features  what a sentence looks like to the model (hashed sparse features)
    fit       fitting (training only; needs SciPy) and choosing thresholds
    artifact  the trained files, checked by SHA-256 before use
    layer     scoring sentences at run time (NumPy only)
"""
