"""`msglint review --format json`: the summary and one row per finding, streamed."""

from __future__ import annotations

import json
from typing import Iterator

from ..findings import Finding, Severity
from ..review.summary import Flagged, Review


def finding_row(review: Review, item: Flagged, f: Finding) -> dict:
    """One finding with where and when its message was sent (json and csv rows)."""
    return {
        "path": review.path,
        "source_line": item.export_line(f),
        "message_index": item.index,
        "timestamp": item.message.sent_at.isoformat() if item.message.sent_at else None,
        "sender": item.message.sender,
        "category": f.category,
        "rule": f.rule,
        "severity": str(f.severity),
        **{k: getattr(f, k) for k in ("message", "why", "source", "suggestion", "text", "start", "end", "line", "column", "end_line", "end_column")},
        "message_text": item.message.text,
    }


def summary_dict(review: Review) -> dict:
    sev = review.by_severity()
    return {
        "path": review.path,
        "format": review.format,
        "me": review.me,
        "senders": review.senders,
        "messages_read": review.messages_read,
        "yours": review.yours,
        "yours_reviewed": review.yours_reviewed,
        "yours_media_only": review.yours_media,
        "theirs": review.theirs,
        "entries": review.entries,
        "system_lines": review.system_count,
        "system_lines_by_kind": {kind: {"count": len(lines), "lines": lines} for kind, lines in review.system_lines.items()},
        "skipped": review.skipped_count,
        "skipped_by_reason": {reason: {"count": len(lines), "lines": lines} for reason, lines in review.skipped.items()},
        "source_line_is_index": review.line_is_index,
        "import_notes": review.import_notes,
        "context_notes": review.context_notes,
        "findings": review.finding_count,
        "flagged_messages": len(review.flagged),
        "by_severity": {str(s): sev[s] for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)},
        "by_category": dict(review.by_category().most_common()),
        "by_month": {k: vars(v) for k, v in review.months.items()},
        "your_messages_by_hour": review.hours,
        "late_night_window": [review.late_night[0].strftime("%H:%M"), review.late_night[1].strftime("%H:%M")],
        "worst_messages": [
            {"message_index": item.index, "source_line": item.message.source_line, "timestamp": item.message.sent_at.isoformat() if item.message.sent_at else None,
             "severity": str(item.worst), "findings": len(item.findings), "categories": sorted({f.category for f in item.findings}), "text": item.message.text}
            for item in review.worst(10)
        ],
    }


def iter_json(review: Review, rows_per_piece: int = 256) -> Iterator[str]:
    """{"summary": {...}, "findings": [one object per line]}, written as it is made, a few
    hundred rows per piece (writing each row on its own cost as much as encoding it)."""

    yield '{\n"summary": ' + json.dumps(summary_dict(review), ensure_ascii=False, indent=2) + ',\n"findings": ['
    encode = json.JSONEncoder(ensure_ascii=False).encode
    sep, piece = "\n", []
    for item, f in review.findings():
        piece.append(encode(finding_row(review, item, f)))
        if len(piece) >= rows_per_piece:
            yield sep + ",\n".join(piece)
            sep, piece = ",\n", []
    if piece:
        yield sep + ",\n".join(piece)
    yield "\n]\n}\n"
