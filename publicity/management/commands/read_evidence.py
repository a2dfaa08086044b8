"""python manage.py read_evidence FILE… [--json]: what the proof reader sees in clippings, screenshots, PDFs.

For support staff checking a disputed proof, and for scripts. Reads the files given (nothing is
stored), matches outlets against the catalogue in the database, prints per file the fields found
and the text read. Exit status 1 when a file could not be read.

``--stored`` instead reads, in this process, every uploaded evidence file whose reading is missing,
waiting or was unavailable (e.g. after installing the OCR engine), and stores the results.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proof import engine
from proof.fields import extract

from ...proofs import outlet_catalogue

HOW = {"masthead": "报头", "domain": "网址", "text": "正文提及"}
PLACEMENT = {"headline": "头版头条", "front": "头版", "other": "其他版面"}


class Command(BaseCommand):
    help = "识别佐证材料(图片或 PDF):输出识别出的媒体、标题、日期、版面、字数、链接和全文。不写入数据库。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", metavar="FILE", help="JPEG、PNG、WebP 图片或 PDF")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出(每个文件一项)")
        parser.add_argument(
            "--stored", action="store_true", help="识别系统中尚未识别(或当时引擎不可用)的已上传佐证材料,并保存结果"
        )

    def handle(self, *args, **options):
        if options["stored"]:
            return self._stored()
        if not options["files"]:
            raise CommandError("请给出要识别的文件,或用 --stored 识别系统中尚未识别的佐证材料。")
        catalogue = outlet_catalogue()
        results = []
        for name in options["files"]:
            path = Path(name)
            item = {"file": name}
            try:
                reading = engine.read_file(path)
            except FileNotFoundError:
                item["error"] = "文件不存在"
            except IsADirectoryError:
                item["error"] = "这是一个目录,不是文件"
            except (engine.UnreadableFile, engine.EngineUnavailable) as exc:
                item["error"] = str(exc)
            else:
                fields = extract(reading.lines, catalogue)
                item |= {
                    "engine": reading.engine,
                    "source": reading.source,
                    "seconds": round(reading.seconds, 2),
                    "fields": fields.to_dict(),
                    "text": reading.text,
                    "notes": list(reading.notes),
                }
            results.append(item)
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        else:
            for item in results:
                self._print(item)
        failed = [r["file"] for r in results if "error" in r]
        if failed:
            raise CommandError(f"{len(failed)} 个文件未能识别:{'、'.join(failed)}", returncode=1)

    def _stored(self):
        from ...models import Evidence, EvidenceReading, ReadingStatus, StagedEvidence
        from ...proofs import read_stored

        final = EvidenceReading.objects.filter(status__in=[ReadingStatus.DONE, ReadingStatus.FAILED])
        done_hashes = set(final.values_list("sha256", flat=True))
        files: dict[str, str] = {}
        for model in (Evidence, StagedEvidence):
            for sha256, name in model.objects.values_list("sha256", "file"):
                if sha256 not in done_hashes:
                    files.setdefault(sha256, name)
        counts: dict[str, int] = {}
        for sha256, name in files.items():
            status = read_stored(sha256=sha256, file_name=name)
            counts[status] = counts.get(status, 0) + 1
        labels = dict(ReadingStatus.choices)
        summary = "、".join(f"{labels[s]} {n} 个" for s, n in sorted(counts.items())) or "没有需要识别的文件"
        self.stdout.write(f"待识别的佐证材料 {len(files)} 个:{summary}")

    def _print(self, item):
        out = self.stdout.write
        out(f"== {item['file']}")
        if "error" in item:
            out(f"  未能识别:{item['error']}")
            return
        f = item["fields"]
        source = "文字层" if item["source"] == "pdf-text" else "OCR"
        out(f"  引擎:{item['engine']}({source},{item['seconds']} 秒)")
        for note in item["notes"]:
            out(f"  说明:{note}")
        outlet = f"{f['outlet']}(据{HOW.get(f['outlet_how'], '')}“{f['outlet_text']}”)" if f["outlet"] else "(未识别)"
        out(f"  媒体:{outlet}")
        out(f"  标题:{f['title'] or '(未识别)'}")
        if f["date"]:
            weekday = {True: ",星期相符", False: ",星期不符"}.get(f["weekday_ok"], "")
            out(f"  日期:{f['date']}(“{f['date_text']}”{weekday})")
        else:
            out("  日期:(未识别)")
        if f["page"]:
            placement = PLACEMENT.get(f["placement"], "")
            out(f"  版面:{f['page_text']}" + (f" → {placement}" if placement else ""))
        else:
            out("  版面:(未识别)")
        out(f"  字数:约 {f['characters']}")
        if f["url"]:
            out(f"  链接:{f['url']}")
        out("  -- 识别出的文字 --")
        for line in item["text"].splitlines():
            out(f"  {line}")
