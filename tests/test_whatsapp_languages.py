"""WhatsApp's own lines in the phone's language: notices are system lines, media stays a message."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from linter.chats import SystemLine, load_chat
from linter.chats import whatsapp_system
from linter.chats.whatsapp_system import KINDS, MEDIA, attached, languages, notice

REPO = Path(__file__).resolve().parents[1]

# code, encryption notice (no "Name:"), media placeholder, deletion, group change (no "Name:"),
# missed call. Each phrase as the phone writes it in that language.
LANGUAGES = [
    ("en", "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
     "can read or listen to them. Tap to learn more.", "<Media omitted>", "This message was deleted",
     "Sam added Alex", "Missed voice call"),
    ("ru", "Сообщения и звонки защищены сквозным шифрованием. Никто вне этого чата, даже WhatsApp, "
     "не может их прочитать или прослушать.", "<Медиа отсутствуют>", "Это сообщение удалено",
     "Sam добавил(а) Alex", "Пропущенный аудиозвонок"),
    ("es", "Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, "
     "ni siquiera WhatsApp, puede leerlos ni escucharlos.", "<Multimedia omitido>", "Se eliminó este mensaje.",
     "Sam añadió a Alex", "Llamada perdida"),
    ("pt", "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam somente "
     "entre você e os participantes desta conversa.", "<Mídia oculta>", "Esta mensagem foi apagada",
     "Sam adicionou Alex", "Chamada de voz perdida"),
    ("de", "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann "
     "sie lesen oder anhören, nicht einmal WhatsApp.", "<Medien ausgeschlossen>", "Diese Nachricht wurde gelöscht",
     "Sam hat Alex hinzugefügt", "Verpasster Sprachanruf"),
    ("fr", "Les messages et les appels sont chiffrés de bout en bout. Aucun tiers, pas même WhatsApp, "
     "ne peut les lire ou les écouter.", "<Médias omis>", "Ce message a été supprimé",
     "Sam a ajouté Alex", "Appel vocal manqué"),
    ("it", "I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat, "
     "nemmeno WhatsApp, può leggerli o ascoltarli.", "<Media omessi>", "Questo messaggio è stato eliminato",
     "Sam ha aggiunto Alex", "Chiamata vocale persa"),
    ("tr", "Mesajlar ve aramalar uçtan uca şifrelidir. WhatsApp dahil olmak üzere bu sohbetin dışında "
     "bulunan hiç kimse onları okuyamaz ve dinleyemez.", "<Medya dahil edilmedi>", "Bu mesaj silindi",
     "Sam, Alex kişisini ekledi", "Cevapsız sesli arama"),
    ("id", "Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, "
     "termasuk WhatsApp, yang dapat membaca atau mendengarkannya.", "<Media tidak disertakan>",
     "Pesan ini telah dihapus", "Sam menambahkan Alex", "Panggilan suara tak terjawab"),
    ("hi", "मैसेज और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं. इस चैट के बाहर का कोई भी व्यक्ति, यहाँ तक कि WhatsApp भी, "
     "उन्हें पढ़ या सुन नहीं सकता.", "<मीडिया के बिना>", "यह मैसेज हटा दिया गया था", "Sam ने Alex को जोड़ा",
     "मिस्ड वॉइस कॉल"),
    ("ar", "الرسائل والمكالمات مشفرة تمامًا بين الطرفين. لا أحد خارج هذه الدردشة، ولا حتى واتساب، يمكنه "
     "قراءتها أو الاستماع إليها.", "<تم استبعاد الوسائط>", "تم حذف هذه الرسالة", "Sam أضاف Alex",
     "مكالمة صوتية فائتة"),
    ("nl", "Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat, zelfs WhatsApp "
     "niet, kan ze lezen of beluisteren.", "<Media weggelaten>", "Dit bericht is verwijderd",
     "Sam heeft Alex toegevoegd", "Gemiste spraakoproep"),
]


def _android(tmp_path: Path, code: str, lines: list[str]) -> Path:
    path = tmp_path / f"WhatsApp Chat {code}.txt"
    path.write_text("".join(f"1{i % 10}.05.23, 10:0{i % 10} - {line}\n" for i, line in enumerate(lines)), encoding="utf-8")
    return path


@pytest.mark.parametrize("code, e2e, media, deleted, group, call", LANGUAGES, ids=[row[0] for row in LANGUAGES])
def test_android_export_in_each_language(tmp_path, code, e2e, media, deleted, group, call):
    path = _android(tmp_path, code, [
        e2e, "Sam: hey, are you there?", f"Sam: {media}", f"Alex: {deleted}", group, f"Sam: {call}",
        "Alex: yes, sorry",
    ])
    chat = load_chat(path)
    messages = list(chat)
    assert [(m.sender, m.text, m.meta.get("media", False)) for m in messages] == [
        ("Sam", "hey, are you there?", False),
        ("Sam", "", True),  # a person sent it: kept, with its time
        ("Alex", "yes, sorry", False),
    ]
    assert messages[1].sent_at is not None and messages[1].source_line == 3
    assert [(s.line, s.kind) for s in chat.system_lines] == [
        (1, "encryption notice"), (4, "deleted message"), (5, "group change"), (6, "missed call"),
    ]
    assert chat.skipped == []
    assert chat.entries == 7


def test_russian_encryption_notice_is_not_a_message(tmp_path):
    # The reported bug: the Russian notice became a message from "Сообщения и звонки…".
    path = _android(tmp_path, "ru", [LANGUAGES[1][1], "Sam: привет"])
    chat = load_chat(path)
    assert [(m.sender, m.text) for m in chat] == [("Sam", "привет")]
    assert chat.system_lines[0].kind == "encryption notice"


def test_ios_notices_attributed_to_the_chat_name(tmp_path):
    path = tmp_path / "_chat.txt"
    path.write_text(
        "[12.05.23, 18:01:02] Freunde: \u200eNachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.\n"
        "[12.05.23, 18:01:03] Freunde: \u200eSam hat die Gruppe „Freunde“ erstellt\n"
        "[12.05.23, 18:01:04] Sam: \u200eBild weggelassen\n"
        "[12.05.23, 18:01:05] Sam: \u200e<Anhang: 00000012-PHOTO-2023-05-12-18-01-05.jpg>\n"
        "[12.05.23, 18:01:06] Sam: \u200eVerpasster Videoanruf\n"
        "[12.05.23, 18:01:07] Sam: \u200eetwas, das keine Tabelle kennt\n"
        "[12.05.23, 18:01:08] Alex: Hallo\n",
        encoding="utf-8",
    )
    chat = load_chat(path)
    assert [(m.sender, m.text, bool(m.meta.get("media"))) for m in chat] == [
        ("Sam", "", True), ("Sam", "", True), ("Alex", "Hallo", False),
    ]
    assert [(s.line, s.kind) for s in chat.system_lines] == [
        (1, "encryption notice"), (2, "group change"), (5, "missed call"), (6, whatsapp_system.UNRECOGNISED),
    ]


def test_sender_attached_deletion_and_media_in_russian(tmp_path):
    path = _android(tmp_path, "ru", ["Sam: Это сообщение удалено", "Sam: <Медиа отсутствуют>", "Sam: Вы удалили это сообщение"])
    chat = load_chat(path)
    msgs = list(chat)
    assert [(m.text, m.meta) for m in msgs] == [("", {"media": True})]
    assert [s.kind for s in chat.system_lines] == ["deleted message", "deleted message"]


def test_media_with_a_caption_keeps_the_caption(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("12/5/23 10:00 - Sam: IMG-20230512-WA0001.jpg (archivo adjunto)\nmira esto\n"
                    "12/5/23 10:01 - Alex: 😂\n", encoding="utf-8")
    msgs = list(load_chat(path))
    assert [(m.text, m.meta.get("media")) for m in msgs] == [("mira esto", True), ("😂", None)]


@pytest.mark.parametrize("text", [
    "I think this message was deleted lol",
    "This message was deleted?? why",
    "Alex left",  # a person may type this; group changes only count without a "Name:"
    "Sam added Alex",
    "Messages and calls",
    "<Media omitted> again?",
    "omitted",
    "ok.",
    "",
])
def test_a_person_quoting_a_notice_is_still_a_person(text):
    assert attached(text) is None


def test_notice_without_a_table_entry_is_a_counted_skip(tmp_path):
    path = _android(tmp_path, "pl", ["Wiadomości i połączenia są szyfrowane", "Sam: cześć"])
    chat = load_chat(path)
    assert [m.text for m in chat] == ["cześć"]
    assert [(s.line, s.reason) for s in chat.skipped] == [(1, "unrecognised system line")]


def test_matching_ignores_case_direction_marks_space_and_final_period():
    assert attached("  THIS MESSAGE WAS DELETED.  ") == "deleted message"
    assert attached("<media omitted>") == MEDIA
    assert notice("You were added.") == "group change"
    assert notice("+49 151 2345678 hat die Gruppe verlassen") == "group change"


# ---------------------------------------------------------------- the table itself


REQUIRED = {"en", "ru", "es", "pt", "de", "fr", "it", "tr", "id", "hi", "ar", "nl"}


def test_every_required_language_has_a_table_with_sources():
    table = {code: (name, sources) for code, name, sources in languages()}
    assert REQUIRED <= set(table)
    for code, (name, sources) in table.items():
        assert name and len(sources.split()) >= 10, code


def test_table_uses_only_known_kinds_and_every_kind_is_used():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    data = tomllib.loads(whatsapp_system.DATA.read_text(encoding="utf-8"))
    used = set()
    for language in data["language"]:
        assert set(language) <= {"code", "name", "sources", "media", "attached", "notice"}, language["code"]
        assert language["media"], language["code"]
        for section in ("attached", "notice"):
            used |= set(language.get(section, {}))
    assert used <= KINDS and {"encryption notice", "deleted message", "missed call", "group change"} <= used


def test_an_unindexable_attached_pattern_is_refused():
    with pytest.raises(ValueError, match="literal characters"):
        whatsapp_system._Table([("* x *", "group change")], scan_allowed=False)


def test_the_table_is_read_once():
    whatsapp_system._tables()
    before = whatsapp_system._tables.cache_info().hits
    attached("hello")
    notice("hello")
    assert whatsapp_system._tables.cache_info().misses == 1
    assert whatsapp_system._tables.cache_info().hits == before + 2


def test_every_table_phrase_of_the_fixtures_is_in_the_data_file():
    # The parametrised exports above test the parser; this ties them to the data file, so
    # a phrase removed from the table fails here with its language named.
    text = whatsapp_system.DATA.read_text(encoding="utf-8")
    for code, _, media, deleted, _, call in LANGUAGES:
        for phrase in (media, deleted.rstrip("."), call):
            assert phrase in text, (code, phrase)


def test_wheel_ships_the_table(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-200:]}")
    wheel = next(tmp_path.glob("*.whl"))
    assert "linter/chats/data/whatsapp_system.toml" in zipfile.ZipFile(wheel).namelist()
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r}); "
        "from linter.chats import whatsapp_system as w; "
        "print(w.DATA); print(w.notice('Вас добавили'))"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    where, kind = out.stdout.split("\n")[:2]
    assert where.startswith(str(site)) and kind == "group change"


def test_system_lines_are_what_the_review_summary_counts(tmp_path):
    path = _android(tmp_path, "fr", [LANGUAGES[5][1], "Sam: salut", "Sam a ajouté Alex", "Alex: Ce message a été supprimé"])
    chat = load_chat(path)
    list(chat)
    assert all(isinstance(s, SystemLine) and re.fullmatch(r"[a-z ]+", s.kind) for s in chat.system_lines)
    assert chat.entries == chat.messages_read + len(chat.system_lines) + len(chat.skipped) == 4
