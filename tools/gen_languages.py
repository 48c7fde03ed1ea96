#!/usr/bin/env python3
"""Generate crates/core/data/iso639-3.tsv, the ISO 639-3 table behind
`linguapool_core::languages`.

How to run (from the repository root; the versions are pinned on purpose,
bump them deliberately and review the diff of the TSV):

    python3 -m venv /tmp/langvenv
    /tmp/langvenv/bin/pip install python-iso639==2026.7.23 pycountry==26.2.16
    /tmp/langvenv/bin/python tools/gen_languages.py

The script refuses to run with other versions of the two packages unless
`--allow-other-versions` is given.

Sources
-------
* python-iso639 (module `iso639`) ships SIL International's ISO 639-3 code
  tables (`iso-639-3.tab`, `iso-639-3-macrolanguages.tab`, ...). It gives the
  set of codes, their scope, the English reference names and the
  macrolanguage mappings. Its `ALL_LANGUAGES` also contains *retired* codes
  (status "R"); only active codes (status "A") are written.
* pycountry ships Debian's iso-codes, whose gettext catalogue `iso639-3`
  carries German names. The catalogue is keyed by iso-codes' English name,
  which for a handful of codes lags behind SIL's current reference name, so
  the lookup uses pycountry's name for the same code first and SIL's name
  second. Catalogue entries whose German text is identical to the English
  name (more than half of them: most small languages are simply copied) are
  not written, so an empty German column means "use the English name".
* GERMAN_OVERRIDES below: hand-picked German display names for languages
  that matter to the interpreter pool where the catalogue has nothing, or
  something a German caseworker would not recognise (or should not see).

Output
------
`crates/core/data/iso639-3.tsv`, UTF-8, LF line endings, one header line,
sorted by code, tab-separated columns:

    code  macrolanguage  scope  name_en  name_de

* code: ISO 639-3 code, scope I (individual) or M (macrolanguage) only;
  special codes (mis, mul, und, zxx) and the local-use range qaa-qtz are
  skipped.
* macrolanguage: code of the macrolanguage the language belongs to, or empty.
* scope: I or M.
* name_en: SIL reference name.
* name_de: German name, or empty if there is no German name distinct from
  the English one.
"""

from __future__ import annotations

import argparse
import gettext
import sys
from importlib.metadata import version
from pathlib import Path

PINNED = {"python-iso639": "2026.7.23", "pycountry": "26.2.16"}

OUTPUT = Path(__file__).resolve().parent.parent / "crates" / "core" / "data" / "iso639-3.tsv"

# ---------------------------------------------------------------------------
# HAND-MAINTAINED OVERRIDES OF GERMAN NAMES
#
# Keep this list short and give a reason for every entry. Everything else
# comes from the pycountry / iso-codes German catalogue.
# ---------------------------------------------------------------------------
GERMAN_OVERRIDES: dict[str, str] = {
    # Catalogue has no German name (only a copy of the English one) / no entry:
    "apc": "Levantinisches Arabisch",  # no catalogue entry at all
    # Caseworkers know these by the variety name, not the ISO description:
    "pes": "Farsi (Iranisches Persisch)",  # catalogue: "Iranisches Persisch"
    "kmr": "Kurmandschi (Nordkurdisch)",  # catalogue: "Nordkurdisch"
    "ckb": "Sorani (Zentralkurdisch)",  # catalogue: "Zentralkurdisch"
    "ful": "Fulfulde (Ful)",  # catalogue: "Ful"
    # Catalogue lists alternatives separated by ";", one of them a slur:
    "rom": "Romani",  # catalogue: "Romani; Zigeunersprache"
    "pus": "Paschtu",  # catalogue: "Paschtu; Afghanisch"
    # Catalogue wording is dated or over-specific for a picker:
    "spa": "Spanisch",  # catalogue: "Spanisch (Kastilisch)"
    "ell": "Griechisch",  # catalogue: "Neugriechisch (ab 1453)"
    "bel": "Belarussisch",  # catalogue: "Weißrussisch" (official usage changed)
    "tir": "Tigrinya",  # catalogue: "Tigrinja"; "Tigrinya" is the usual spelling
    "yor": "Yoruba",  # catalogue: "Joruba"
    "ibo": "Igbo",  # catalogue: "Ibo"
    "hau": "Hausa",  # catalogue: "Haussa"
}

HEADER = ("code", "macrolanguage", "scope", "name_en", "name_de")


def check_versions(allow_other: bool) -> None:
    for package, pinned in PINNED.items():
        installed = version(package)
        if installed != pinned:
            message = f"{package} {installed} is installed, but this script pins {pinned}"
            if not allow_other:
                sys.exit(f"error: {message} (use --allow-other-versions to go ahead anyway)")
            print(f"warning: {message}", file=sys.stderr)


def german_catalogue() -> gettext.NullTranslations:
    import pycountry

    class Missing(gettext.NullTranslations):
        """Fallback that returns None instead of echoing the msgid."""

        def gettext(self, message):  # type: ignore[override]
            return None

    translation = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["de"])
    translation.add_fallback(Missing())
    return translation


def is_local_use(code: str) -> bool:
    return "qaa" <= code <= "qtz"


def clean(text: str, what: str) -> str:
    if any(ch in text for ch in "\t\r\n") or text != text.strip():
        raise SystemExit(f"error: {what} has tabs, newlines or surrounding blanks: {text!r}")
    return text


def build_rows() -> tuple[list[tuple[str, str, str, str, str]], dict[str, int]]:
    import iso639
    import pycountry

    active = {
        lang.part3: lang
        for lang in iso639.ALL_LANGUAGES
        if lang.status == "A" and lang.scope in ("I", "M") and not is_local_use(lang.part3)
    }
    de = german_catalogue()
    stats = {"catalogue": 0, "identical_dropped": 0, "overrides": 0, "whitespace_fixed": 0}

    unknown_overrides = sorted(set(GERMAN_OVERRIDES) - set(active))
    if unknown_overrides:
        raise SystemExit(f"error: overrides for unknown codes: {unknown_overrides}")

    rows = []
    for code in sorted(active):
        lang = active[code]
        if len(code) != 3 or not code.isascii() or not code.isalpha() or not code.islower():
            raise SystemExit(f"error: odd code {code!r}")

        macro = lang.macrolanguage or ""
        if macro:
            if lang.scope != "I":
                raise SystemExit(f"error: {code} has scope {lang.scope} but a macrolanguage")
            if macro not in active or active[macro].scope != "M":
                raise SystemExit(f"error: {code} maps to {macro}, which is no active macrolanguage")

        name_en = clean(lang.name, f"English name of {code}")

        pyc = pycountry.languages.get(alpha_3=code)
        msgids = [pyc.name] if pyc is not None else []
        if name_en not in msgids:
            msgids.append(name_en)
        name_de = ""
        for msgid in msgids:
            translated = de.gettext(msgid)
            if translated is None:
                continue
            if translated != translated.strip():
                # The catalogue has a few entries with stray whitespace
                # (e.g. a trailing tab); never let that into the TSV.
                translated = translated.strip()
                stats["whitespace_fixed"] += 1
            if translated in (msgid, name_en):
                stats["identical_dropped"] += 1
            else:
                name_de = translated
            break

        if code in GERMAN_OVERRIDES:
            name_de = GERMAN_OVERRIDES[code]
            stats["overrides"] += 1
        elif name_de:
            stats["catalogue"] += 1
        name_de = clean(name_de, f"German name of {code}")

        rows.append((code, macro, lang.scope, name_en, name_de))

    for code, lang in active.items():
        if lang.scope == "M" and not any(row[1] == code for row in rows):
            raise SystemExit(f"error: macrolanguage {code} has no active members")
    return rows, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow-other-versions", action="store_true")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    check_versions(args.allow_other_versions)
    rows, stats = build_rows()

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="\n") as out:
        for row in [HEADER, *rows]:
            out.write("\t".join(row) + "\n")

    macros = sum(1 for row in rows if row[2] == "M")
    with_de = sum(1 for row in rows if row[4])
    print(
        f"wrote {args.output}: {len(rows)} codes ({macros} macrolanguages), "
        f"{with_de} with a German name ({stats['catalogue']} from the catalogue, "
        f"{stats['overrides']} overrides, {stats['identical_dropped']} catalogue entries "
        f"identical to English left out, "
        f"{stats['whitespace_fixed']} stripped of stray whitespace)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
