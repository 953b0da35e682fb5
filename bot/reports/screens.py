"""/export and /baocao: the same files and report as `careerbot export` and `report`, for the
staff member's own scope (bot/people/access), built in the worker process (bot/reports/builds)
and shown when ready, through the View's `later`."""

from __future__ import annotations

from bot import intents as i
from bot import messages
from bot.people.access import scope_of
from bot.people.accounts import Account
from bot.people.staff import ScopeError
from bot.reports import reporting
from bot.reports.builds import BuildBusy
from bot.reports.report import report_view
from bot.screens import Handlers, Screens, guarded, text_view
from bot.surveys.model import school_year
from bot.views import Attachment, Block, Choice, Notice, Part, View, notice_only

CHART_FILE = "bao-cao.png"


class ReportScreens(Screens):
    def handlers(self) -> Handlers:
        return {i.ExportMenu: self.choose_export, i.Export: self.export, i.Report: self.report}

    def _year(self) -> str:
        return school_year(self.svc.local_now().date())

    async def choose_export(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.ExportMenu)  # noqa: S101 - dispatched by type
        try:
            scope = scope_of(self.svc, account, intent.school)
        except ScopeError as refused:
            return text_view(str(refused))
        code = intent.school if scope.kind == "school" and intent.school else ""
        rows = [(Choice(messages.EXPORT_CSV.format(title=s.title), i.Export("csv", s.id, code)),)
                for s in self.svc.surveys.surveys]
        rows.append((Choice(messages.EXPORT_XLSX, i.Export("xlsx", "all", code)),))
        head = messages.EXPORT_CHOOSE.format(scope=scope.name, year=self._year())
        return View((Part(Block.TEXT, head),), tuple(rows))

    async def export(self, account: Account, intent: i.Intent) -> View:
        """A format chosen: the file is built in the worker, sent when ready."""
        assert isinstance(intent, i.Export)  # noqa: S101
        svc = self.svc
        try:  # checked again, now: a button proves nothing, and roles can be revoked
            scope = scope_of(svc, account, intent.school)
        except ScopeError as refused:
            return notice_only(str(refused), alert=True)
        surveys = list(svc.surveys.surveys) if intent.survey == "all" \
            else [s for s in svc.surveys.surveys if s.id == intent.survey]
        if intent.format not in ("csv", "xlsx") or not surveys:
            return notice_only(messages.STALE_BUTTON, alert=True)
        year = self._year()
        try:  # built in the worker process; the bot keeps answering everyone meanwhile
            job = svc.builds.start(account.user_id, reporting.export_file,
                                   *reporting.export_args(svc, scope, surveys, intent.format,
                                                          year))
        except BuildBusy:
            return notice_only(messages.BUILD_BUSY, alert=True)

        async def document() -> View:
            built = await job
            caption = messages.EXPORT_SENT.format(count=built.count, scope=scope.name, year=year)
            return View(files=(Attachment(built.filename, built.data, caption),))

        return View(notice=Notice(messages.WORKING), later=guarded(document, "export"))

    async def report(self, account: Account, intent: i.Intent) -> View:
        """The report against the targets and its chart, both built in the worker."""
        assert isinstance(intent, i.Report)  # noqa: S101
        svc = self.svc
        try:
            scope = scope_of(svc, account, intent.school)
        except ScopeError as refused:
            return text_view(str(refused))
        survey = reporting.report_survey(svc)
        if survey is None:
            return text_view(messages.REPORT_NONE)
        try:
            job = svc.builds.start(account.user_id, reporting.report_with_chart,
                                   *reporting.report_args(svc, scope, self._year()))
        except BuildBusy:
            return text_view(messages.BUILD_BUSY)

        async def shown() -> View:
            built = await job
            if built is None:
                return text_view(messages.REPORT_NONE)
            table, png = built
            chart = Attachment(CHART_FILE, png, messages.REPORT_CAPTION.format(scope=scope.name),
                               image=True)
            return View(report_view(table).parts, files=(chart,))

        return View(later=guarded(shown, "report"))
