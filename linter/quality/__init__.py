"""Measuring msglint: labelled corpora in, precision/recall and false-alarm rates out.

    corpus   reading labelled JSON Lines (malformed lines kept as problems)
    scoring  findings vs labels, per category; rates on unlabelled texts
    report   text and JSON renderings of the scores
"""
