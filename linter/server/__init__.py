"""The warm local server (`msglint serve`) and its client.

A cold start (Python + spaCy + the compiled rules) costs a second or two; the pre-send
hotkey should answer at once. `msglint serve` keeps the pipeline loaded behind a Unix
domain socket that only the user's own processes can reach, and `msglint check` /
`msglint clipboard` send their drafts there when it runs, linting in-process when it does
not, with the same output either way: both routes run `linter.check.run_job` on the same
`Job`.

    paths     where the socket lives; the privacy checks around it
    wire      the protocol: framing, and Settings/Job/Finding to and from JSON
    client    send a job, or say why not (light: no spaCy, no click)
    listener  the accept loop and per-connection handling
    service   what a request does (ping, lint, stop)
    daemon    warm up, listen, stop, detach
"""
