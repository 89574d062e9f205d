"""The output folder as a Hugging Face dataset: ``data/{train,validation,test}.parquet`` and a ``README.md`` card.

``datasets.load_dataset(OUT_DIR)`` reads the card's YAML header, whose ``configs`` name one Parquet
file per split, so the other files of the folder (``corpus.jsonl``, ``testset/``, ...) are never
mistaken for data. The split files share one schema: ``id``, ``group``, ``translation`` (every
language, null where the tuple lacks it) and the tuple-level scores. ``datasets`` refuses a split
with no rows, so an empty split's file is written (same schema) but left out of ``configs``.

The card is made from ``build.json`` (signature, configuration, inputs and their sha256) when the folder
has one, and holds no timestamp: the same build gives the same card, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl
import tomli_w

from aligner import __version__
from aligner.errors import InputError
from aligner.export.hf import score_column, tuple_score_names, write_hf
from aligner.export.selection import FileReport, Selection, all_pairs, code
from aligner.fileio import write_text_atomic
from aligner.score.flags import FLAG_COLUMNS

CARD_FILE = "README.md"
MANIFEST_FILE = "build.json"
DEFAULT_LICENSE = "unknown"
#: The corpus.tsv split of each Hugging Face split, in the order ``datasets`` lists them.
HF_SPLITS = {"train": "train", "validation": "dev", "test": "test"}
#: Hugging Face's ``size_categories`` as (upper bound, name); larger is ``n>1T``.
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"),
                   (10_000_000_000, "1B<n<10B"), (100_000_000_000, "10B<n<100B"),
                   (1_000_000_000_000, "100B<n<1T"))


def split_file(hf_split: str) -> str:
    return f"data/{hf_split}.parquet"


def write_dataset_folder(out_dir: Path, selections: Mapping[str, Selection], languages: Sequence[str],
                         score_names: Sequence[str], manifest: Mapping | None,
                         license: str | None = None) -> dict[str, FileReport]:
    """Write the split files and the card into ``out_dir``; ``selections``: the selected tuples of each
    corpus.tsv split (train, dev, test); ``manifest``: :func:`read_manifest`. ``license``: default the
    one in build.json, else ``unknown``. The card's report counts the rows it describes."""
    if license is None:
        license = _recorded(manifest, "export", "license") or DEFAULT_LICENSE
    scores = tuple_score_names(score_names)
    files = {split_file(hf_split): write_hf(out_dir / split_file(hf_split), "parquet",
                                            selections[split].tuples, languages, scores)
             for hf_split, split in HF_SPLITS.items()}
    pair_counts = {hf_split: _pair_counts(out_dir / split_file(hf_split), languages) for hf_split in HF_SPLITS}
    text = dataset_card(languages, scores, pair_counts, selections, manifest, license)
    write_text_atomic(out_dir / CARD_FILE, text)
    files[CARD_FILE] = FileReport("card", rows=sum(counts["rows"] for counts in pair_counts.values()))
    return files


def read_manifest(out_dir: Path) -> dict | None:
    """``out_dir/build.json``, or None when the folder has none (a corpus.tsv exported without a build);
    an unreadable one is an :class:`InputError`."""
    path = out_dir / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise InputError(path, f"unreadable: {err}") from None
    if not isinstance(manifest, dict):
        raise InputError(path, "is not a JSON object")
    return manifest


def _pair_counts(path: Path, languages: Sequence[str]) -> dict[str, int]:
    """Rows of a split file: in all (``rows``), with both languages of each pair, with every language."""
    present = {lang: pl.col("translation").struct.field(lang).is_not_null() for lang in languages}
    groups = [tuple(pair) for pair in all_pairs(languages)]
    if len(languages) > 2:
        groups.append(tuple(sorted(languages)))
    counts = pl.scan_parquet(path).select(
        pl.len().alias("rows"),
        *(pl.all_horizontal([present[lang] for lang in group]).sum().alias(code(group)) for group in groups),
    ).collect()
    return {name: int(counts[name][0]) for name in counts.columns}


def size_category(rows: int) -> str:
    return next((name for bound, name in SIZE_CATEGORIES if rows < bound), "n>1T")


def dataset_card(languages: Sequence[str], scores: Sequence[str], pair_counts: Mapping[str, Mapping[str, int]],
                 selections: Mapping[str, Selection], manifest: Mapping | None, license: str) -> str:
    """The README.md text: YAML header for the Hub and ``datasets``, then the body a reader needs."""
    return _yaml_header(languages, scores, pair_counts, license) + "\n" + _body(
        languages, pair_counts, selections, manifest, license)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def _yaml_header(languages: Sequence[str], scores: Sequence[str], pair_counts: Mapping[str, Mapping[str, int]],
                 license: str) -> str:
    ordered = sorted(languages)
    listed = [hf_split for hf_split in HF_SPLITS if pair_counts[hf_split]["rows"]]
    lines = ["---", "language:", *(f"- {_quoted(lang)}" for lang in ordered), f"license: {_quoted(license)}",
             "multilinguality:", "- translation", "task_categories:", "- translation",
             "size_categories:", f"- {_quoted(size_category(sum(c['rows'] for c in pair_counts.values())))}",
             f"pretty_name: {_quoted('aligner ' + '-'.join(ordered) + ' parallel corpus')}",
             "configs:", "- config_name: default", "  data_files:"]
    lines += [line for hf_split in listed
              for line in (f"  - split: {hf_split}", f"    path: {split_file(hf_split)}")]
    lines += ["dataset_info:", "  features:",
              "  - name: id", "    dtype: string", "  - name: group", "    dtype: string",
              "  - name: translation", "    dtype:", "      translation:", "        languages:",
              *(f"        - {_quoted(lang)}" for lang in ordered)]
    lines += [line for name in scores for line in (f"  - name: {_quoted(score_column(name))}", "    dtype: float64")]
    lines.append("---")
    return "\n".join(lines) + "\n"


def _cell(text: object) -> str:
    """A Markdown table cell: no line break, no unescaped ``|``."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _body(languages: Sequence[str], pair_counts: Mapping[str, Mapping[str, int]],
          selections: Mapping[str, Selection], manifest: Mapping | None, license: str) -> str:
    ordered = sorted(languages)
    groups = [code(pair) for pair in all_pairs(ordered)] + ([code(ordered)] if len(ordered) > 2 else [])
    out = [f"# aligner {'-'.join(ordered)} parallel corpus", "",
           f"Aligned sentence tuples in {', '.join(ordered)}, built with aligner from news reports. One row per "
           "tuple: `translation` holds one field per language, `null` where the tuple lacks the language; "
           "`quality` is the tuple's calibrated score (0..1). License: " + f"`{license}`.", "",
           "```python", "import datasets", "", 'ds = datasets.load_dataset("PATH/TO/THIS/FOLDER")  # '
           + ", ".join(hf_split for hf_split in HF_SPLITS if pair_counts[hf_split]["rows"]),
           'full = ds["train"].filter(lambda row: all(row["translation"].values()))  # every language present',
           "```", "", "## Splits", "",
           "Rows per split, and rows having both languages of each pair (or all of them). A split with no "
           "rows is left out of `configs` (`datasets` cannot load an empty split).", "",
           "| split | file | rows | " + " | ".join(groups) + " |",
           "|---|---|---:|" + "---:|" * len(groups)]
    for hf_split, counts in pair_counts.items():
        out.append(f"| {hf_split} | `{split_file(hf_split)}` | {counts['rows']} | "
                   + " | ".join(str(counts[group]) for group in groups) + " |")
    out += ["", "## How tuples were selected", ""] + _selection_lines(selections, manifest)
    out += ["", "## Build", ""] + _build_lines(manifest)
    out += ["", "## Citation", "", "Please cite the toolkit that built this corpus:", "", "```bibtex",
            "@software{aligner,", "  title = {aligner: trilingual Arabic-English-French parallel corpora from news reports},",
            f"  version = {{{(manifest or {}).get('aligner', __version__)}}},", "  license = {MIT},", "}", "```"]
    return "\n".join(out) + "\n"


def _selection_lines(selections: Mapping[str, Selection], manifest: Mapping | None) -> list[str]:
    rule = selections["train"].rule
    flags = ", ".join(f"`{name}`" for name in FLAG_COLUMNS)
    if rule == "keep":
        threshold = _recorded(manifest, "select", "min_quality")
        at = f" {threshold:g}" if isinstance(threshold, (int, float)) else " the build's minimum"
        lines = [f"A tuple is in the data when corpus.tsv's `keep` flag is set: its `quality` is at least{at} and "
                 f"none of its flags ({flags}) is raised."]
    else:
        lines = [f"A tuple is in the data when its score is `{rule}` and none of its flags ({flags}) is raised."]
    lines += ["", "| corpus.tsv split | tuples | selected | dropped |", "|---|---:|---:|---|"]
    for hf_split, split in HF_SPLITS.items():
        selection = selections[split]
        dropped = ", ".join(f"{reason} {count}" for reason, count in sorted(selection.dropped.items())) or "none"
        lines.append(f"| {split} | {selection.total} | {selection.selected} | {_cell(dropped)} |")
    split_info = (manifest or {}).get("split") or {}
    counts = (manifest or {}).get("counts", {})
    if split_info.get("method"):
        lines += ["", f"Splits were made by {split_info['method']} (docs/formats.md, \"Splits\")."
                  + (f" Warning: {_cell(split_info['warning'])}." if split_info.get("warning") else "")]
    if "train_overlaps_removed" in counts:
        lines.append(f"{counts['train_overlaps_removed']} training row(s) whose text is also in dev or test were "
                     "removed from train (split `excluded`).")
    return lines


def _recorded(manifest: Mapping | None, section: str, key: str):
    """A knob of the configuration build.json records (None when it has none)."""
    return ((manifest or {}).get("config") or {}).get(section, {}).get(key)


def _build_lines(manifest: Mapping | None) -> list[str]:
    if manifest is None:
        return ["This folder has no build.json: its build signature and input files are not known."]
    lines = [f"Signature: `{manifest['signature']}`", "",
             f"aligner {manifest['aligner']}, Python {manifest.get('python', '?')}. Its configuration, which "
             "`aligner build --config FILE` reads back (with the input and output folders on the command line):",
             "", "```toml", *tomli_w.dumps(manifest.get("config") or {}).splitlines(), "```"]
    lines += ["", "### Input files", "", "| file | language | sha256 | status |", "|---|---|---|---|"]
    for row in manifest.get("inputs", []):
        lines.append(f"| {_cell(row['file'])} | {_cell(row.get('lang') or '')} | "
                     f"{_cell(row.get('sha256') or '')} | {_cell(row.get('status', ''))} |")
    return lines
