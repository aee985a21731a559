"""The author's pages: item list, item view and editor, import with its error report, programs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery

from question_bank.analysis import Flag
from question_bank.assembly import PoolShortage
from question_bank.importers import import_files
from question_bank.importers.common import MAX_PACKAGE_BYTES
from question_bank.items import LANGUAGES, ItemType, Status, present
from question_bank.programs import program_to_dict
from recruit.accounts.models import Role
from recruit.bank import forms, service
from recruit.errors import FormErrors
from recruit.exams.statistics import item_report, sittings_of
from recruit.i18n import N_
from recruit.web.guards import requires
from recruit.web.pages import DB, field, fields, page, redirect

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
TYPE_NAMES = {
    ItemType.SINGLE: N_("Single choice"), ItemType.MULTIPLE: N_("Multiple response"),
    ItemType.TRUE_FALSE: N_("True / false"), ItemType.LIKERT: N_("Agreement scale (competency)"),
}
STATUS_NAMES = {Status.DRAFT: N_("Draft"), Status.ACTIVE: N_("Active"), Status.RETIRED: N_("Retired")}


def _item_or_404(db, item_id: str):
    rows = service.versions(db, item_id)
    current = next((row for row in rows if row.is_current), None)
    if current is None:
        raise NotFoundException()
    return current, rows


def _editor(status_code: int = 200, **context) -> Response:
    return page("bank/edit.html", status_code=status_code, languages_all=LANGUAGES, type_names=TYPE_NAMES,
                statuses=[s.value for s in Status], status_names=STATUS_NAMES, max_options=forms.MAX_OPTIONS,
                **context)


class BankController(Controller):
    """Question bank pages for test authors (and administrators)."""

    include_in_schema = False
    guards = [requires(Role.AUTHOR, Role.ADMIN)]

    @get("/bank", sync_to_thread=False)
    def index(self) -> Response:
        return redirect("/bank/items")

    @get("/bank/items", name="bank_items", sync_to_thread=True)
    def items(self, request: Request, db: DB, act: FromQuery[str] = "", status: FromQuery[str] = "",
              language: FromQuery[str] = "", difficulty: FromQuery[str] = "", q: FromQuery[str] = "",
              flagged: FromQuery[str] = "") -> Response:
        chosen = service.ItemFilter(act=act, status=status, language=language, difficulty=difficulty, search=q,
                                    flagged=flagged == "yes")
        rows = service.list_items(db, chosen)
        latest = service.law_dates(db)
        context = {"rows": rows, "filters": chosen, "acts": service.acts(db), "statuses": [s.value for s in Status], "status_names": STATUS_NAMES, "type_names": TYPE_NAMES,
                   "review": {row.item_id for row in rows if service.needs_review(row, latest)}}
        template = "bank/_item_rows.html" if request.headers.get("hx-request") else "bank/items.html"
        return page(template, **context)

    @get("/bank/items/new", sync_to_thread=False)
    def new_item(self) -> Response:
        return _editor(values=forms.editor_values(None), errors={}, existing=None)

    @post("/bank/items/new", sync_to_thread=True)
    def create_item(self, request: Request, db: DB, data: Form) -> Response:
        item, errors = forms.item_from_editor(data)
        if item is not None and service.versions(db, item.id):
            errors = {"id": N_("An item with this id already exists.")}
        if errors:
            return _editor(400, values={**forms.editor_values(None), **_posted(data)}, errors=errors, existing=None)
        service.save_item(db, request.user.actor, item)
        return redirect(f"/bank/items/{item.id}", flash="saved")

    @post("/bank/items/preview", sync_to_thread=False)
    def preview(self, data: Form) -> Response:
        """The editor's preview: the item as candidates will see it in each language, without saving."""
        item, errors = forms.item_from_editor({**data, "id": field(data, "id") or "preview"})
        previews = {lang: present(item, lang) for lang in LANGUAGES if lang in item.languages} if item else {}
        return page("bank/_preview.html", item=item, previews=previews, errors=errors)

    @get("/bank/items/{item_id:str}", sync_to_thread=True)
    def item(self, db: DB, item_id: FromPath[str]) -> Response:
        current, rows = _item_or_404(db, item_id)
        item = service.to_item(current)
        previews = {lang: present(item, lang) for lang in LANGUAGES if lang in item.languages}
        return page("bank/item.html", row=current, item=item, versions=rows, previews=previews,
                    type_names=TYPE_NAMES, statuses=[s.value for s in Status], status_names=STATUS_NAMES,
                    review=service.needs_review(current, service.law_dates(db)))

    @get("/bank/items/{item_id:str}/edit", sync_to_thread=True)
    def edit_item(self, db: DB, item_id: FromPath[str]) -> Response:
        current, _ = _item_or_404(db, item_id)
        return _editor(values=forms.editor_values(service.to_item(current)), errors={}, existing=current)

    @post("/bank/items/{item_id:str}/edit", sync_to_thread=True)
    def update_item(self, request: Request, db: DB, item_id: FromPath[str], data: Form) -> Response:
        current, _ = _item_or_404(db, item_id)
        item, errors = forms.item_from_editor({**data, "id": item_id}, version=current.version)
        if errors:
            return _editor(400, values={**forms.editor_values(service.to_item(current)), **_posted(data)},
                           errors=errors, existing=current)
        outcome = service.save_item(db, request.user.actor, item)
        return redirect(f"/bank/items/{item_id}", flash="saved" if outcome.change != "unchanged" else None)

    @post("/bank/items/{item_id:str}/status", sync_to_thread=True)
    def change_status(self, request: Request, db: DB, item_id: FromPath[str], data: Form) -> Response:
        try:
            service.set_status(db, request.user.actor, item_id, field(data, "status"))
        except LookupError as exc:
            raise NotFoundException() from exc
        except FormErrors:
            pass
        return redirect(f"/bank/items/{item_id}", flash="saved")

    @get("/bank/import", sync_to_thread=False)
    def import_page(self) -> Response:
        return page("bank/import.html", problems=[], skipped=[], summary=None)

    @post("/bank/import", sync_to_thread=True, request_max_body_size=MAX_PACKAGE_BYTES)
    def import_files(self, request: Request, db: DB, data: Upload) -> Response:
        uploads = data.get("files", [])
        uploads = uploads if isinstance(uploads, list) else [uploads]
        files = [(upload.filename or "upload", upload.file.read()) for upload in uploads
                 if isinstance(upload, UploadFile) and upload.filename]
        if not files:
            return page("bank/import.html", status_code=400, problems=[], skipped=[], summary=None,
                        error=N_("Choose at least one file."))
        result = import_files(files, skip_unsupported=data.get("skip_unsupported") == "yes")
        if not result.ok:
            return page("bank/import.html", status_code=400, problems=result.problems, skipped=result.skipped,
                        summary=None)
        summary = service.store_import(db, request.user.actor, result, [name for name, _ in files])
        return page("bank/import.html", problems=[], skipped=result.skipped, summary=summary)

    @get("/bank/statistics", name="bank_statistics", sync_to_thread=True)
    def statistics(self, db: DB, program: FromQuery[str] = "corps-b", sitting: FromQuery[int | None] = None) -> Response:
        report = item_report(db, program, sitting)
        ordered = sorted(report.analysis.items, key=lambda s: (not _review_flags(s), s.item_id))
        return page("bank/statistics.html", report=report, rows=ordered, program_code=program, sitting=sitting,
                    sittings=sittings_of(db, program), programs=sorted({p.code for p in service.programs(db)}))

    @get("/bank/programs", name="bank_programs", sync_to_thread=True)
    def programs(self, db: DB) -> Response:
        return page("bank/programs.html", programs=service.programs(db))

    @get("/bank/programs/{code:str}", sync_to_thread=True)
    def program(self, db: DB, code: FromPath[str], seed: FromQuery[str] = "", language: FromQuery[str] = "") -> Response:
        versions = [p for p in service.programs(db) if p.code == code]
        if not versions:
            raise NotFoundException()
        latest = versions[-1]
        trial, trial_error = None, None
        if seed and language:
            try:
                trial = service.assemble(db, code, seed, language)
            except (PoolShortage, LookupError, ValueError) as exc:
                trial_error = str(exc)
        return page("bank/program.html", program=latest, versions=versions, values=program_to_dict(latest),
                    errors={}, trial=trial, trial_error=trial_error, seed=seed, language=language)

    @post("/bank/programs/{code:str}", sync_to_thread=True)
    def save_program(self, request: Request, db: DB, code: FromPath[str], data: Form) -> Response:
        versions = [p for p in service.programs(db) if p.code == code]
        if not versions:
            raise NotFoundException()
        values = _program_values(versions[-1], data)
        try:
            saved = service.save_program(db, request.user.actor, values)
        except FormErrors as exc:
            return page("bank/program.html", status_code=400, program=versions[-1], versions=versions,
                        values=values, errors=exc.errors, trial=None, trial_error=None, seed="", language="")
        return redirect(f"/bank/programs/{saved.code}", flash="saved")


def _review_flags(stats) -> tuple:
    return tuple(flag for flag in stats.flags if flag is not Flag.TOO_FEW_EXAMINEES)


def _posted(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: field(data, name) for name in data if not name.startswith(("option_", "key", "_csrf"))}
    values["options"] = [{lang: field(data, f"option_{n}_{lang}") for lang in LANGUAGES}
                         for n in range(forms.MAX_OPTIONS)]
    values["key"] = fields(data, "key")
    values["reverse_keyed"] = field(data, "reverse_keyed") == "yes"
    return values


def _program_values(latest, data: dict[str, Any]) -> dict[str, Any]:
    """The editor changes rules and dates; titles and structure come from the latest version."""
    values = program_to_dict(latest)
    for name in ("effective_from", "effective_to"):
        values[name] = field(data, name) or None
    for name in ("overall_minimum", "duration_minutes", "validity_months", "retake_days"):
        if name not in data:
            continue  # a form from before the field existed keeps the rule as it was
        raw = field(data, name)
        values[name] = int(raw) if raw.isdigit() else (None if not raw else raw)
    values["score_tolerance"] = float(field(data, "score_tolerance")) if _is_number(field(data, "score_tolerance")) else None
    values["languages"] = [lang for lang in LANGUAGES if lang in fields(data, "languages")]
    for section in values["sections"]:
        for name in ("count", "minimum"):
            raw = field(data, f"{section['code']}_{name}")
            section[name] = int(raw) if raw.isdigit() else (None if name == "minimum" and not raw else raw)
    return values


def _is_number(raw: str) -> bool:
    try:
        float(raw)
    except ValueError:
        return False
    return True


route_handlers = [BankController]
