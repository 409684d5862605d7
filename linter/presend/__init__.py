"""The pre-send moment: read the draft from the clipboard, say in a desktop notification
whether to send it.

    clipboard  reading the clipboard with whichever tool this desktop has
    notify     showing a desktop notification
    summary    what the notification says
"""
