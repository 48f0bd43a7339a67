"""The ``ytempire`` command.

``ytempire video`` validates its options before anything is created, runs the per-video
flow with a live stage display, then prints each stage's engine, time and cost and where the
outputs are, and whether the video was published or held by the gate. Exit codes: 0 done
(published or held), 1 the pipeline failed (the stage is named) or another run holds the
video, 2 bad input. ``ytempire release <video_id> [--reject]`` answers a held video:
approved, its run goes on from the checkpoints and uploads it; rejected, it stays put.

``ytempire report --since 7d [--format md|html|csv] [--output PATH]`` prints (or writes, with
charts) the optimization report; ``ytempire metrics serve [--port N]`` exposes the seed's
Prometheus metrics. Both exit 1 with one line when the store cannot be read, 2 on bad input.

``ytempire cost <video_id>`` prints every paid call and compute line of the video, over all
its runs, and their total (what ``metadata.json`` and the analytics store say it cost);
exit 2 for a video with no recorded cost.

``ytempire experiments status [NAME]`` and ``ytempire experiments promote NAME`` (A/B
experiments) are described in ``ytempire.learning.experiment_commands``.

``ytempire mlflow flush`` and ``ytempire prompts sync|alias`` (the MLflow record and the prompt
registry) are described in ``ytempire.learning.commands``.

``ytempire batch [--date YYYY-MM-DD] [--channel NAME ...] [--videos-per-channel N]`` runs the
daily batch (docs/batch.md) and prints a row per video: exit 0 when every planned video was
made, 1 when any failed, 2 on bad input or unusable channel profiles.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ytempire import basic_auth
from ytempire.channels import Channel, ChannelsError, load_channels
from ytempire.errors import StageFailed, one_line
from ytempire.learning import commands as learning_commands
from ytempire.learning import experiment_commands
from ytempire.models import (
    HEX_COLOUR,
    MAX_BRAND_COLOURS,
    MAX_PROFILE_CHARS,
    SLUG_PATTERN,
    STYLE_PRESETS,
    Aspect,
    ContentType,
    Stage,
    StageRecord,
    VideoJob,
    VideoResult,
    VoiceProfile,
    clean_line,
    clean_topic,
    end_screen_length,
)
from ytempire.workspace import WorkspaceError

if TYPE_CHECKING:
    from ytempire.analytics.store import AnalyticsStore
    from ytempire.progress import StepEvent
    from ytempire.settings import Settings

EXIT_FAILED = 1
EXIT_USAGE = 2
METRICS_PORT = 9464

# Which command-line option each VideoJob field comes from, to name it in errors.
OPTION_OF_FIELD = {
    "topic": "--topic",
    "minutes": "--minutes",
    "content_type": "--content-type",
    "voice": "--voice",
    "language": "--language",
    "accent": "--accent",
    "speakers": "--speakers",
    "channel": "--channel",
    "aspect": "--aspect",
    "style": "--style",
    "tone": "--tone",
    "audience": "--audience",
    "brand_colours": "--brand-colour",
    "style_preset": "--style-preset",
    "heading_font": "--heading-font",
    "body_font": "--body-font",
    "logo": "--logo",
    "logo_opacity": "--logo-opacity",
    "intro": "--intro",
    "end_screen_s": "--end-screen",
}
# The job's look (docs/branding.md), passed on only when given.
LOOK_FIELDS = ("style_preset", "heading_font", "body_font", "logo", "logo_opacity", "intro",
               "end_screen_s")  # fmt: skip


class UsageError(Exception):
    """Bad input on the command line; the message is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    # argparse prints usage plus a message; our contract is one line and exit 2.
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _topic(value: str) -> str:
    try:
        return clean_topic(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _profile_line(value: str) -> str:
    try:
        return clean_line(value, MAX_PROFILE_CHARS)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _colour(value: str) -> str:
    if not re.fullmatch(HEX_COLOUR, value):
        raise argparse.ArgumentTypeError(f"must be a colour #rrggbb; got {value!r}")
    return value


def _font(value: str) -> str:
    """A font file name that exists in the fonts folder or the bundled faces."""
    from ytempire.fonts import FontNotFoundError
    from ytempire.settings import Settings
    from ytempire.visuals.brand import find_face

    try:
        name = clean_line(value, 100)
        find_face(name, Settings().fonts_dir)
    except (ValueError, FontNotFoundError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return name


def _logo(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {value!r}")
    return path


def _opacity(value: str) -> float:
    try:
        opacity = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {value!r}") from None
    if not 0 < opacity <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {value}")
    return opacity


def _end_screen(value: str) -> float:
    try:
        return end_screen_length(float(value))
    except ValueError as exc:
        reason = str(exc) if "end screen" in str(exc) else f"must be a number, got {value!r}"
        raise argparse.ArgumentTypeError(reason) from None


def _minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {value!r}") from None
    if not 1 <= minutes <= 60:
        raise argparse.ArgumentTypeError(f"must be between 1 and 60, got {value}")
    return minutes


def _choice(choices: list[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in choices:
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(choices)}; got {value!r}")
        return value

    return parse


def _language(value: str) -> str:
    from ytempire.language import LanguageError, check_tag

    try:
        return check_tag(value)
    except LanguageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _languages(value: str) -> list[str]:
    from ytempire.language import LanguageError
    from ytempire.translations import languages_list

    try:
        tags = languages_list([tag for tag in value.split(",") if tag.strip()])
    except LanguageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not tags:
        raise argparse.ArgumentTypeError(f"must list languages such as es,ja; got {value!r}")
    return tags


def _speakers(value: str) -> tuple[tuple[str, VoiceProfile], ...]:
    """``Ana=professional_female,Leo=energetic_male``: a dialogue's two speakers."""
    profiles = [v.value for v in VoiceProfile]
    speakers = []
    for pair in value.split(","):
        name, _, profile = (part.strip() for part in pair.partition("="))
        if not name or profile not in profiles:
            raise argparse.ArgumentTypeError(
                f"must be two NAME=VOICE pairs, VOICE one of {', '.join(profiles)}; got {pair!r}"
            )
        speakers.append((name, VoiceProfile(profile)))
    if len(speakers) != 2 or speakers[0][0] == speakers[1][0]:
        raise argparse.ArgumentTypeError(f"must name two different speakers; got {value!r}")
    return tuple(speakers)


def _channel(value: str) -> str:
    if not re.fullmatch(SLUG_PATTERN, value) or len(value) > 64:
        raise argparse.ArgumentTypeError(
            f"must be a plain slug (lowercase letters, digits, single dashes); got {value!r}"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ytempire", description="Make faceless YouTube videos.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    video = commands.add_parser("video", help="make one video end to end")
    video.add_argument("--topic", required=True, type=_topic, help="what the video is about")
    # Left out, these come from the --channel's profile in the channels file, else the
    # house defaults (VideoJob's).
    video.add_argument("--minutes", type=_minutes, help="target length, 1–60 (default 1)")
    video.add_argument("--content-type", type=_choice([c.value for c in ContentType]))
    video.add_argument("--voice", type=_choice([v.value for v in VoiceProfile]))
    languages = video.add_mutually_exclusive_group()
    languages.add_argument(
        "--language",
        type=_language,
        help="BCP-47 tag of the video's language: en, es, pt-BR, ja, … (docs/languages.md)",
    )
    languages.add_argument(
        "--languages",
        type=_languages,
        help="es,ja: the same video in each language, each its own video, linked",
    )
    video.add_argument("--accent", type=_language, help="the voices' accent: en-GB, es-MX, …")
    video.add_argument(
        "--speakers",
        type=_speakers,
        help="a dialogue: NAME=VOICE,NAME=VOICE (voice profiles, as --voice)",
    )
    video.add_argument(
        "--channel",
        type=_channel,
        default="default",
        help="a channel of the channels file: its profile (identity, gate, look) fills the "
        "options left out",
    )
    video.add_argument("--aspect", type=_choice([a.value for a in Aspect]))
    video.add_argument("--style", type=_profile_line, help="the channel's style, for the script")
    video.add_argument("--tone", type=_profile_line, help="how the narration sounds")
    video.add_argument("--audience", type=_profile_line, help="who the video is for")
    video.add_argument(
        "--brand-colour",
        type=_colour,
        action="append",
        dest="brand_colours",
        help=f"#rrggbb, repeatable (at most {MAX_BRAND_COLOURS}): background, accent, text, "
        "second background, muted text",
    )
    video.add_argument(
        "--style-preset",
        type=_choice(list(STYLE_PRESETS)),
        help="pacing and caption style (docs/branding.md); default: the house look",
    )
    video.add_argument("--heading-font", type=_font, help="font file name for headings")
    video.add_argument("--body-font", type=_font, help="font file name for body text")
    video.add_argument("--logo", type=_logo, help="PNG with transparency: a corner watermark")
    video.add_argument("--logo-opacity", type=_opacity, help="the watermark's opacity, 0-1")
    video.add_argument(
        "--intro", action="store_true", default=None, help="open on the channel's name and logo"
    )
    video.add_argument(
        "--end-screen",
        type=_end_screen,
        dest="end_screen_s",
        help="seconds (5-20) of end screen for YouTube's end-screen elements",
    )

    report = commands.add_parser("report", help="the optimization report and alerts")
    report.add_argument("--since", default="7d", help="7d, 24h, 30m, 2w or an ISO date")
    report.add_argument("--until", type=_moment, default=None, help="ISO date or time; now")
    report.add_argument("--format", type=_choice(["md", "html", "csv"]), default="md")
    report.add_argument(
        "--output", type=Path, default=None, help="write here (md: charts beside it)"
    )

    metrics = commands.add_parser("metrics", help="the seed's Prometheus metrics")
    metrics_commands = metrics.add_subparsers(
        dest="metrics_command", required=True, parser_class=_Parser
    )
    serve = metrics_commands.add_parser("serve", help="expose /metrics over HTTP")
    serve.add_argument("--port", type=_port, default=METRICS_PORT)
    serve.add_argument(
        "--host",
        "--addr",
        dest="addr",
        default="127.0.0.1",
        help="address to listen on (loopback unless told otherwise: 0.0.0.0 for every one)",
    )
    serve.add_argument(
        "--basic-auth-file",
        type=Path,
        default=None,
        help="require HTTP basic auth: user:hash lines (sha256:<hex> or bcrypt, htpasswd "
        "format); or YTEMPIRE_METRICS_BASIC_AUTH=user:hash",
    )

    batch = commands.add_parser("batch", help="make the day's videos for every channel")
    batch.add_argument("--date", type=_day, default=None, help="YYYY-MM-DD; today (UTC)")
    batch.add_argument(
        "--channel",
        type=_channel,
        action="append",
        dest="channels",
        help="only this channel (repeatable); all by default",
    )
    batch.add_argument(
        "--videos-per-channel", type=_videos, default=None, help="0–50; the profiles' own"
    )

    release = commands.add_parser("release", help="publish (or reject) a held video")
    release.add_argument("video_id", type=_video_id, help="the held video's id")
    release.add_argument("--reject", action="store_true", help="keep it unpublished, for good")
    release.add_argument("--note", type=_profile_line, help="why, kept in hold.json")

    cost = commands.add_parser("cost", help="every paid call and compute line of a video")
    cost.add_argument("video_id", type=_video_id, help="the video's id")
    experiment_commands.add_commands(commands, _Parser)
    learning_commands.add_commands(commands, _Parser, _video_id)
    return parser


def _moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an ISO date or time, got {value!r}") from None


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, got {value!r}") from None


def _videos(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 50:
        raise argparse.ArgumentTypeError(f"must be a whole number 0–50, got {value!r}")
    return int(value)


def _video_id(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{32}", value):
        raise argparse.ArgumentTypeError(f"must be a video id (32 hex digits); got {value!r}")
    return value


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 0–65535, got {value!r}")
    return int(value)


def parse_job(argv: list[str]) -> VideoJob:
    """The (first language's) job the arguments ask for, or UsageError naming the bad
    option."""
    return jobs_from_args(build_parser().parse_args(argv))[0]


def jobs_from_args(args: argparse.Namespace) -> list[VideoJob]:
    """The jobs: one per language (``--languages``, else ``--language``, else the channel's
    languages; the first language's job first, the others translate it), each the options
    given, over the ``--channel``'s profile when the channels file has one (so a channel's
    video acts with its own YouTube identity, gate and look), over the job's defaults."""
    from ytempire.translations import jobs_in_languages

    given = {
        field: getattr(args, field)
        for field in (
            "minutes",
            "content_type",
            "voice",
            "accent",
            "speakers",
            "aspect",
            "style",
            "tone",
            "audience",
            "brand_colours",
            *LOOK_FIELDS,
        )
        if getattr(args, field, None) is not None
    }
    profiles = channel_profiles(args.channel)
    profile = profiles.get(args.channel)
    tags = args.languages or ([args.language] if args.language else None)
    if profile is None:
        base: dict[str, object] = {}
        tags = tags or [default_language()]
    else:
        tags = tags or profile.spoken_languages
        base = profile.job(VideoJob().video_id, args.topic).model_dump()
        if base["language"] != tags[0]:  # another language than the channel's: its voices
            base["accent"] = None
    try:
        job = VideoJob.model_validate(
            {**base, "topic": args.topic, "channel": args.channel, "language": tags[0], **given}
        )
    except ValidationError as exc:  # the parser checks first; this is a safety net
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "input"
        raise UsageError(f"{OPTION_OF_FIELD.get(field, field)}: {error['msg']}") from None
    publishers = {} if profile is None else profile.publishers(profiles)
    return jobs_in_languages(job, tags, publishers)


def default_language() -> str:
    """The language of a video no option or channel names (``YTEMPIRE_YOUTUBE_DEFAULT_LANGUAGE``),
    or UsageError when the setting is not a language tag ytempire knows."""
    from ytempire.language import LanguageError, check_tag
    from ytempire.settings import Settings

    try:
        return check_tag(Settings().youtube_default_language)
    except LanguageError as exc:
        raise UsageError(f"YTEMPIRE_YOUTUBE_DEFAULT_LANGUAGE: {exc}") from None


def channel_profiles(name: str) -> dict[str, Channel]:
    """The channels file's profiles (``YTEMPIRE_CHANNELS_FILE``) by name; none for the
    ``default`` channel or no file. A file that cannot be read is UsageError naming it."""
    from ytempire.settings import Settings

    if name == "default":
        return {}
    path = Settings().channels_file
    if not path.exists():
        return {}
    try:
        return {c.name: c for c in load_channels(path)}
    except ChannelsError as exc:
        raise UsageError(f"--channel: {exc}") from None


class StageDisplay:
    """A rich progress line per stage, fed by the pipeline's stage notifications."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.rows: dict[Stage, TaskID] = {}

    def stage_started(self, stage: Stage) -> None:
        self.rows[stage] = self.progress.add_task(f"{stage.value}…", total=1)

    def stage_progress(self, event: StepEvent) -> None:
        """Steps of a long stage (voice chunks, render parts): a bar with done/total, ETA."""
        if event.stage in self.rows:
            self.progress.update(
                self.rows[event.stage],
                total=max(1, event.total),
                completed=event.done,
                description=f"{event.stage.value}… [dim]{event.describe()}[/]",
            )

    def stage_finished(self, record: StageRecord) -> None:
        mark = {"completed": "[green]✓[/]", "resumed": "[cyan]↺[/]"}.get(record.status, "[red]✗[/]")
        detail = record.engine or record.error or ""
        if record.status == "resumed":
            detail += " (resumed)"
        self.progress.update(
            self.rows[record.stage],
            total=1,
            completed=1,
            description=f"{mark} {record.stage.value} [dim]{detail}[/]",
        )


def quiet_prefect() -> None:
    """Defaults for running Prefect from a terminal; an operator's own settings win.

    Warnings only on the console (the stage display says the rest), and no usage telemetry:
    the pipeline must not reach outside the machine, and the ephemeral API's SQLite database
    prints "database is locked" tracebacks when its telemetry service races the run.
    """
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def server_allowed() -> bool:
    """With a Prefect server configured (``PREFECT_API_URL``), whether it may be used: one
    that answers without credentials from beyond loopback, or refuses ours, is refused with
    one line (``YTEMPIRE_ALLOW_OPEN_SERVER=1`` allows an open one on a private network)."""
    from deployments.server_check import gate

    return gate("ytempire")


def run_video(jobs: list[VideoJob], console: Console) -> int:
    """Make the video (one job) or the same video in several languages (one job each, the
    first language's first), then describe each."""
    # Prefect is imported only once the input is known to be good: it costs seconds.
    quiet_prefect()
    if not server_allowed():
        return EXIT_FAILED
    from flows.video import make_video, make_video_in_languages
    from ytempire import progress
    from ytempire.analytics.leases import LeaseHeld, LeaseLost
    from ytempire.language import LanguageError

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with (
        Progress(*columns, console=console, transient=False) as bar,
        progress.listening(StageDisplay(bar)),
    ):
        try:
            results = make_video_in_languages(jobs) if len(jobs) > 1 else [make_video(jobs[0])]
        except StageFailed as exc:
            console.print(f"[red]error:[/] {exc}")
            return EXIT_FAILED
        except WorkspaceError as exc:
            console.print(f"[red]error:[/] workspace: {one_line(exc)}")
            return EXIT_FAILED
        except (LeaseHeld, LeaseLost, LanguageError) as exc:
            console.print(f"[red]error:[/] {escape(one_line(exc))}", soft_wrap=True)
            return EXIT_FAILED
    for result in results:
        describe_video(result, console)
    return 0


def describe_video(result: VideoResult, console: Console) -> None:
    """A made video: its language, stage table, cost, outputs and where it was published."""
    from ytempire.language import language
    from ytempire.summary import stage_rows

    job = result.job
    spoken = language(job.language)
    table = Table(title=f"{result.title} ({spoken.tag})")
    for column in ("stage", "engine", "seconds", "cost ($)", "quality"):
        table.add_column(column, justify="right" if column != "stage" else "left")
    for row in stage_rows(result):
        table.add_row(
            row["stage"],
            row["engine"],
            f"{row['seconds']:.2f}",
            f"{row['cost_usd']:.4f}",
            str(row["quality"]),
        )
    console.print(table)
    for row in stage_rows(result):
        if row["notes"]:
            console.print(f"[yellow]{row['stage']} fallbacks:[/] {row['notes']}", soft_wrap=True)
    from ytempire.settings import Settings

    settings = Settings()
    bucket = settings.workspace_url
    where = f"{bucket}/{job.video_id}" if bucket else str(result.folder)
    source = f", translated from video {job.translation_of}" if job.translation_of else ""
    console.print(f"video {job.video_id} in {spoken.name} ({spoken.tag}){source}", soft_wrap=True)
    console.print(f"total cost ${result.total_cost_usd:.4f}; outputs in {where}")
    for name, path in result.outputs.items():
        shown = str(path)
        if bucket and path.is_relative_to(result.folder):  # the scratch copy is gone
            shown = f"{where}/{path.relative_to(result.folder).as_posix()}"
        # Paths are for copying: never broken across lines.
        console.print(f"  {name:<22} {shown}", soft_wrap=True)
    if bucket:
        console.print(f"local state (analytics store, MLflow): {settings.local_state_dir}")
    if not result.quality_passed:
        console.print("[yellow]some quality checks failed: see quality.json[/]")
    upload = result.upload
    if upload is not None and upload.held is not None:
        console.print(
            f"[yellow]{upload.destination}:[/] {escape(upload.held)} — release with "
            f"`ytempire release {job.video_id}`",
            soft_wrap=True,
        )
    elif upload is not None:
        console.print(f"published to {upload.destination}: {upload.location}", soft_wrap=True)


def run_release(args: argparse.Namespace, console: Console) -> int:
    """Answer a held video: approved, the video's run goes on from its checkpoints and
    uploads it (nothing paid is redone); rejected, it stays in the outbox for good."""
    from ytempire.publish import gate, outbox
    from ytempire.resilience.errors import ProviderError
    from ytempire.settings import Settings
    from ytempire.workspace import VideoFolder, workspace_bucket

    settings = Settings()
    folder = VideoFolder(settings.workspace, args.video_id)
    bucket = workspace_bucket(settings.workspace_url)  # with one: answered in a scratch copy
    try:
        if bucket is not None:
            bucket.pull(folder)
        held = gate.read_hold(folder)
        if held is None:
            earlier = outbox.published(folder, args.video_id)
            if earlier is None:
                return _fail(
                    f"release: video {args.video_id} is neither held nor published "
                    f"(nothing in {folder.path})"
                )
            console.print(f"already published to {earlier.destination}: {earlier.location}")
            return 0
        decision = gate.Decision(
            approve=not args.reject, note=args.note or "", by="ytempire release"
        )
        answered = gate.answer(folder, decision)
        if args.reject:
            outbox.mark(folder, args.video_id, "rejected", gate.decided(answered, decision).reason)
        if bucket is not None:
            bucket.push(folder)
    except (gate.GateError, OSError, ProviderError) as exc:
        return _fail(f"release: {one_line(exc)}")
    if args.reject:
        console.print(f"rejected: video {args.video_id} stays in the outbox ({folder.path})")
        return 0
    return run_video([held.job], console)


def run_batch(args: argparse.Namespace, console: Console) -> int:
    """The daily batch; a table of its videos. Exit 1 when any video failed, 2 when the
    channel profiles cannot be used (a bad file, an unknown channel)."""
    quiet_prefect()
    if not server_allowed():
        return EXIT_FAILED
    from flows.batch import daily_batch

    try:
        with console.status("daily batch: planning and making the videos…"):
            result = daily_batch(
                date=args.date, channels=args.channels, videos_per_channel=args.videos_per_channel
            )
    except ChannelsError as exc:
        print(f"ytempire: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except (WorkspaceError, ValueError) as exc:
        return _fail(f"batch: {one_line(exc)}")

    table = Table(
        title=f"Daily batch {result.day.isoformat()} (channels from {result.channels_source})"
    )
    for column in (
        "channel",
        "language",
        "topic",
        "status",
        "cost ($)",
        "quality",
        "resumed",
        "link",
    ):
        table.add_column(
            column, justify="right" if column in ("cost ($)", "quality", "resumed") else "left"
        )
    for v in result.videos:
        colour = {"completed": "green", "held": "yellow", "rejected": "yellow"}.get(v.status, "red")
        status = f"[{colour}]{v.status}[/]"
        quality = "" if v.quality_score is None else f"{v.quality_score:.2f}"
        table.add_row(
            v.channel,
            v.language,
            v.topic,
            status,
            f"{v.cost_usd:.4f}",
            quality,
            str(v.resumed_stages),
            v.location,
        )
    console.print(table)
    for v in result.videos:
        if v.error:
            console.print(f"[red]{v.channel} {v.video_id}:[/] {v.error}", soft_wrap=True)
        if v.held:
            console.print(
                f"[yellow]{v.channel} {v.video_id} {v.status}:[/] {escape(v.held)} — release "
                f"with `ytempire release {v.video_id}`",
                soft_wrap=True,
            )
    for d in result.plan.dropped:
        console.print(
            f"[yellow]left out:[/] {d.channel} video {d.slot + 1}: {d.reason}", soft_wrap=True
        )
    console.print(
        f"{result.completed} completed, {result.held} held, {result.failed} failed, "
        f"{len(result.plan.dropped)} left out; total cost ${result.total_cost_usd:.4f}"
    )
    return EXIT_FAILED if result.failed else 0


def _fail(message: str) -> int:
    print(f"ytempire: error: {message}", file=sys.stderr)
    return EXIT_FAILED


def _analytics_store(url: str) -> AnalyticsStore:
    """The store, refusing to create a SQLite file that does not exist yet (nothing to read)."""
    from sqlalchemy.engine import make_url

    from ytempire.analytics.store import AnalyticsStore

    parsed = make_url(url)
    database = parsed.database
    on_file = parsed.get_backend_name() == "sqlite" and database and database != ":memory:"
    if on_file and not Path(str(database)).exists():
        raise FileNotFoundError(
            f"no analytics database at {database} "
            "(make a video first, or set YTEMPIRE_DATABASE_URL)"
        )
    return AnalyticsStore(url)


def run_report(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from ytempire.analytics import report
    from ytempire.analytics.alerts import Thresholds
    from ytempire.settings import Settings

    window = report.since_window(args.since, args.until)
    settings = Settings()
    try:
        store = _analytics_store(settings.analytics_url)
        built = report.build_report(store, window, Thresholds.from_settings(settings))
        if args.output is None:
            sys.stdout.write(report.render(built, args.format))
            return 0
        for path in report.write(built, args.output, args.format):
            print(path)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(f"report: {one_line(exc)}")
    return 0


def run_cost(args: argparse.Namespace) -> int:
    """Every ledger line of the video (all its runs) and their total; exit 2 for a video the
    store has no cost of."""
    from sqlalchemy.exc import SQLAlchemyError

    from ytempire.analytics import ledger
    from ytempire.settings import Settings

    settings = Settings()
    try:
        lines = ledger.Ledger(_analytics_store(settings.analytics_url)).lines(args.video_id)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(f"cost: {one_line(exc)}")
    if not lines:
        print(f"ytempire: error: no costs recorded for video {args.video_id}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(ledger.statement(lines))
    return 0


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _metrics_users(path: Path | None, settings: Settings) -> basic_auth.Users | None:
    """Who may read the metrics: the file's users, else the setting's one, else anyone."""
    if path is not None:
        return basic_auth.Users.from_file(path)
    if settings.metrics_basic_auth is not None:
        entry = settings.metrics_basic_auth.get_secret_value()
        return basic_auth.Users.parse(entry, "YTEMPIRE_METRICS_BASIC_AUTH")
    return None


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def run_metrics(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from sqlalchemy.exc import SQLAlchemyError

    from ytempire.analytics import metrics, queue
    from ytempire.analytics.store import AnalyticsStore
    from ytempire.settings import Settings

    settings = Settings()
    try:
        users = _metrics_users(args.basic_auth_file, settings)
    except basic_auth.BasicAuthError as exc:
        print(f"ytempire: error: metrics: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        store = AnalyticsStore(settings.analytics_url)
        flush = queue.for_settings(settings).flush if settings.redis_url else None
        collector = metrics.StoreCollector(
            store, timedelta(hours=settings.metrics_window_hours), before_collect=flush
        )
        server, thread = metrics.serve(collector, args.port, args.addr, users)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(f"metrics: {one_line(exc)}")
    host, port = (str(part) for part in server.server_address[:2])
    guard = f"basic auth, {len(users.hashes)} user(s); " if users else ""
    print(f"serving metrics on http://{host}:{port}/metrics ({guard}Ctrl-C stops)", flush=True)
    if users is None and not _is_loopback(str(host)):
        print(
            f"ytempire: warning: metrics on {host} without auth: anyone who reaches the port "
            "reads them (--basic-auth-file, docs/security.md)",
            file=sys.stderr,
        )
    signal.signal(signal.SIGTERM, _stop)
    try:
        while thread.is_alive():
            thread.join(timeout=1)
    except KeyboardInterrupt:
        server.shutdown()
    return 0


def main(argv: list[str] | None = None) -> int:
    console = Console()
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        if args.command == "video":
            jobs = jobs_from_args(args)
        elif args.command == "report":
            from ytempire.analytics.report import since_window

            try:
                since_window(args.since, args.until)
            except ValueError as exc:
                raise UsageError(f"argument --since: {exc}") from None
    except UsageError as exc:
        print(f"ytempire: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "report":
        return run_report(args)
    if args.command == "metrics":
        return run_metrics(args)
    if args.command == "batch":
        return run_batch(args, console)
    if args.command == "release":
        return run_release(args, console)
    if args.command == "cost":
        return run_cost(args)
    if args.command in experiment_commands.COMMANDS:
        return experiment_commands.run(args)
    if args.command in learning_commands.COMMANDS:
        return learning_commands.run(args)
    return run_video(jobs, console)


if __name__ == "__main__":
    sys.exit(main())
