//! `anxin`: the server and the operator's command line.

use anxin_app::{
    clock::Clock,
    db::sqlite_url,
    help::{HotlineOwner, NationalHours, NewHotline, service as hotlines},
    i18n::{Locale, t},
    service::{Ctx, Failure},
    site::DEFAULT_QUICK_EXIT_URL,
};
use anxin_server::{Config, open_database};
use clap::{Args, Parser, Subcommand};
use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(
    name = "anxin",
    version,
    about = "Anxin (安心): a youth mental-health services portal"
)]
struct Cli {
    /// How log lines are written: `text` for people, `json` (one object per line) for
    /// log collectors.
    #[arg(long, env = "ANXIN_LOG_FORMAT", default_value = "text", global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (migrates the database first).
    Serve(ServeArgs),
    /// Create or update the database schema, then exit.
    Migrate(DbArgs),
    /// Add the sample content (idempotent), then exit; `--scale city` adds a city-sized
    /// data set for load tests on top (resumable).
    DemoData {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
        #[arg(long, value_enum, default_value_t = DemoScale::Sample)]
        scale: DemoScale,
    },
    /// Local help lines shown beside the national ones.
    #[command(subcommand)]
    Hotline(HotlineCommand),
    /// Screening questionnaires: check a definition before it goes live, score answers.
    #[command(subcommand)]
    Instruments(InstrumentsCommand),
    /// Organisations (bureau, centres, schools, clinics) and their tree.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Staff accounts: the first admin, and recovery when nobody can sign in.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The data key that seals bookings' contact details.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Booking maintenance.
    #[command(subcommand)]
    Booking(BookingCommand),
    /// The background job queue (messages, housekeeping).
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Copy a running deployment to DIR: the SQLite database (consistent, online), the
    /// uploads and the data key. On PostgreSQL, uploads and key only: use pg_dump.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// A new directory for this backup.
        to: PathBuf,
    },
    /// Put a backup made by `anxin backup` into the data directory (which must hold no
    /// database: stop the server and move the old one aside first).
    Restore {
        /// Where the backup is.
        from: PathBuf,
        #[arg(long, env = "ANXIN_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
    },
    /// Exit 0 if the server at ANXIN_ADDR answers /healthz with 200 (for container
    /// health checks, which have no curl).
    Healthcheck {
        #[arg(long, env = "ANXIN_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
    },
    /// Move everything from an SQLite database into a new, empty PostgreSQL database,
    /// then compare every table's rows and checksum.
    Copy {
        /// `sqlite://…/anxin.db`
        #[arg(long)]
        from: String,
        /// `postgres://…`
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List jobs, newest first: id, kind, state, attempts, when due, last error.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only jobs in this state: queued, running, done, failed or dropped.
        #[arg(long, value_parser = parse_job_state)]
        state: Option<anxin_app::jobs::JobState>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Put a failed (or finished) job back in the queue, its attempts counted afresh.
    Retry {
        #[command(flatten)]
        db: DbArgs,
        id: i64,
    },
}

fn parse_job_state(name: &str) -> Result<anxin_app::jobs::JobState, String> {
    anxin_app::jobs::JobState::parse(name)
        .ok_or_else(|| "one of queued, running, done, failed, dropped".into())
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Print a new random data key (for ANXIN_DATA_KEY).
    Generate,
}

#[derive(Subcommand)]
enum BookingCommand {
    /// After a key rotation: re-seal every booking's contact details with the key in
    /// ANXIN_DATA_KEY (opening them with it or ANXIN_DATA_KEY_PREVIOUS) and recompute
    /// the phone hashes. Stop the servers first, or run it while they still hold both
    /// keys.
    Rekey {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        keys: KeyArgs,
    },
}

/// How much demo data `anxin demo-data` adds.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum DemoScale {
    /// The sample content every fresh portal shows.
    Sample,
    /// The samples plus 400 organisations, 10,000 published items, 100,000 past bookings.
    City,
}

#[derive(Args, Clone)]
struct KeyArgs {
    /// The data key (32 bytes, base64). Every instance of a deployment needs the same
    /// one; a single SQLite instance may leave it out and keeps one in the data directory.
    #[arg(long, env = "ANXIN_DATA_KEY", hide_env_values = true)]
    data_key: Option<String>,
    /// The key before a rotation: still opens what it sealed.
    #[arg(long, env = "ANXIN_DATA_KEY_PREVIOUS", hide_env_values = true)]
    data_key_previous: Option<String>,
}

impl KeyArgs {
    /// The data keys for the database `database` opened from `db` (a single SQLite
    /// instance may keep its key in the data directory).
    fn load(
        &self,
        db: &DbArgs,
        database: &anxin_app::db::Db,
    ) -> anyhow::Result<anxin_app::booking::secret::Keys> {
        Ok(anxin_app::booking::secret::Keys::load(
            self.data_key.as_deref(),
            self.data_key_previous.as_deref(),
            &db.data_dir,
            database.backend() == anxin_app::db::Backend::Sqlite,
        )?)
    }
}

#[derive(Subcommand)]
enum OrgCommand {
    /// List organisations: id, slug, kind, parent, names.
    List(DbArgs),
    /// Add an organisation (the top of the tree has no --parent).
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Short name for URLs: a-z, 0-9 and -.
        #[arg(long)]
        slug: String,
        /// bureau, centre, clinic, school or family-centre.
        #[arg(long, value_parser = parse_kind)]
        kind: anxin_app::orgs::OrgKind,
        #[arg(long)]
        name_zh: String,
        #[arg(long)]
        name_en: String,
        #[arg(long)]
        region: String,
        /// The parent organisation's slug.
        #[arg(long)]
        parent: Option<String>,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create an account with a role on an organisation. The password is read from
    /// ANXIN_PASSWORD or, if that is unset, from the first line of standard input.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// The organisation's slug.
        #[arg(long)]
        org: String,
        /// admin, editor, reviewer, clinic or viewer.
        #[arg(long, default_value = "admin", value_parser = parse_role)]
        role: anxin_app::staff::roles::Role,
    },
    /// Grant another role to an existing account.
    Grant {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = parse_role)]
        role: anxin_app::staff::roles::Role,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Turn off an account's two-factor sign-in (lost phone and recovery codes).
    ResetTwoFactor {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
}

fn parse_role(name: &str) -> Result<anxin_app::staff::roles::Role, String> {
    anxin_app::staff::roles::Role::parse(name)
        .ok_or_else(|| "one of admin, editor, reviewer, clinic, viewer".into())
}

fn parse_kind(name: &str) -> Result<anxin_app::orgs::OrgKind, String> {
    anxin_app::orgs::OrgKind::parse(name)
        .ok_or_else(|| "one of bureau, centre, clinic, school, family-centre".into())
}

#[derive(Subcommand)]
enum InstrumentsCommand {
    /// List the instruments a server with this data directory offers.
    List {
        #[arg(long, env = "ANXIN_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
    },
    /// Check a definition file; prints every problem and exits 2 if there are any.
    Validate { file: PathBuf },
    /// Score answers (in item order) and print the result as JSON.
    Score {
        /// An instrument id (shipped or installed), or a definition file's path.
        id: String,
        #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
        answers: Vec<i32>,
        /// The person's age, for instruments with age-group bands.
        #[arg(long)]
        age: Option<u8>,
        #[arg(long, env = "ANXIN_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
    },
    /// Print each item's possible answers, as a JSON list of lists (for checks and
    /// scripts).
    Values {
        id: String,
        #[arg(long, env = "ANXIN_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
    },
    /// Print the FHIR R4 Questionnaire and the QuestionnaireResponse for these answers,
    /// as the phone exports them: {"questionnaire": …, "response": …}.
    Fhir {
        id: String,
        #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
        answers: Vec<i32>,
        /// zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        #[arg(long, env = "ANXIN_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
    },
}

#[derive(Args, Clone)]
struct DbArgs {
    /// `sqlite://…` or `postgres://…`; default: an SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Where the SQLite database (and later uploads) live.
    #[arg(long, env = "ANXIN_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
}

impl DbArgs {
    fn url(&self) -> String {
        self.database_url
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| sqlite_url(&self.data_dir))
    }
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Serve Prometheus metrics at http://ADDR/metrics (keep it private: a local or
    /// internal address, not the public one).
    #[arg(long, env = "ANXIN_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Memory for public pages kept rendered (the render cache), in MiB; 0 turns it off.
    #[arg(long, env = "ANXIN_RENDER_CACHE_MB", default_value_t = 64)]
    render_cache_mb: u64,
    /// Address to listen on.
    #[arg(long, env = "ANXIN_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// The built site (CSS, wasm, public files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    site_root: PathBuf,
    /// The neutral page the quick-exit button goes to.
    #[arg(long, env = "ANXIN_QUICK_EXIT_URL", default_value = DEFAULT_QUICK_EXIT_URL)]
    quick_exit_url: String,
    /// Add the sample content on start (idempotent).
    #[arg(long, env = "ANXIN_DEMO_DATA")]
    demo_data: bool,
    /// The site is served over HTTPS: staff cookies become `__Host-` and `Secure`.
    /// (Requests a proxy marks `X-Forwarded-Proto: https` get them anyway.)
    #[arg(long, env = "ANXIN_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Behind a reverse proxy: take the client's address from the last
    /// `X-Forwarded-For` entry and the scheme from `X-Forwarded-Proto`.
    #[arg(long, env = "ANXIN_TRUST_PROXY")]
    trust_proxy: bool,
    /// The public origin every absolute URL is built from (share codes, feeds, e-mails,
    /// calendar files), e.g. https://anxin.example.org.
    #[arg(long, env = "ANXIN_PUBLIC_URL")]
    public_url: Option<String>,
    /// Admins must set up two-factor sign-in before they can act as admins.
    #[arg(long, env = "ANXIN_ADMINS_NEED_TWO_FACTOR")]
    admins_need_two_factor: bool,
    /// Delete audit entries older than this many days.
    #[arg(long, env = "ANXIN_AUDIT_RETENTION_DAYS", default_value_t = 365)]
    audit_retention_days: i64,
    /// Erase a booking's contact details this many days after its appointment.
    #[arg(long, env = "ANXIN_BOOKING_RETENTION_DAYS", default_value_t = 90)]
    booking_retention_days: i64,
    #[command(flatten)]
    keys: KeyArgs,
    /// Send e-mail through this SMTP server (lettre's URL form: smtp://host:25,
    /// smtps://user:pass@host, smtp://host:587?tls=required). Needs --mail-from.
    #[arg(long, env = "ANXIN_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of e-mail, e.g. "Anxin <noreply@example.org>".
    #[arg(long, env = "ANXIN_MAIL_FROM")]
    mail_from: Option<String>,
    /// POST booking events (for text messages through your own gateway) to this URL,
    /// signed per Standard Webhooks with ANXIN_WEBHOOK_SECRET.
    #[arg(long, env = "ANXIN_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// The webhook signing secret: whsec_ followed by base64 of 24 or more random bytes.
    #[arg(long, env = "ANXIN_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// How long a job worker's claim holds: a worker that dies mid-job has its job
    /// taken by another after this long. Keep it above 60 (a send times out at 30).
    #[arg(long, env = "ANXIN_JOB_LEASE_SECONDS", default_value_t = anxin_app::jobs::LEASE_SECS)]
    job_lease_seconds: i64,
    /// Background job workers in this instance (0: a web-only instance; some other
    /// instance must then run them).
    #[arg(long, env = "ANXIN_JOB_WORKERS", default_value_t = anxin_app::jobs::work::WORKERS)]
    job_workers: usize,
}

#[derive(Subcommand)]
enum HotlineCommand {
    /// List the local lines.
    List(DbArgs),
    /// Add a local line (or update the one with the same number).
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name_zh: String,
        #[arg(long)]
        name_en: String,
        #[arg(long)]
        number: String,
        #[arg(long)]
        hours_zh: String,
        #[arg(long)]
        hours_en: String,
        /// Lower numbers are listed first.
        #[arg(long, default_value_t = 0)]
        sort_order: i64,
    },
    /// Remove a local line by its id (see `list`).
    Remove {
        #[command(flatten)]
        db: DbArgs,
        id: i64,
    },
    /// State the hours of a national line (12356 or 12355) where this deployment is.
    Hours {
        #[command(flatten)]
        db: DbArgs,
        /// 12356 or 12355.
        number: String,
        #[arg(long)]
        hours_zh: String,
        #[arg(long)]
        hours_en: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    match run(cli.command).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("anxin: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Every text, e-mail and calendar entry carries the public address and the sender, so
/// an address like `xinli.example.cn` or a sender named 心理中心 would tell a family
/// sharing a phone what the messages are about: the operator is warned at start-up.
fn warn_if_telling(public_url: &Option<String>, mail_from: &Option<String>) {
    for (setting, value) in [("--public-url", public_url), ("--mail-from", mail_from)] {
        if let Some(word) = value
            .as_deref()
            .and_then(anxin_app::booking::wording::sensitive_word)
        {
            tracing::warn!(
                setting,
                word,
                "messages to people who book carry this setting, and it says what the service is; a family sharing a phone would read it"
            );
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => {
            let public_url = args.public_url.filter(|u| !u.is_empty());
            let mail_from = args.mail_from.filter(|u| !u.is_empty());
            warn_if_telling(&public_url, &mail_from);
            let running = anxin_server::start(Config {
                site_root: args.site_root,
                quick_exit_url: args.quick_exit_url,
                demo_data: args.demo_data,
                secure_cookies: args.secure_cookies,
                trust_proxy: args.trust_proxy,
                public_url,
                admins_need_two_factor: args.admins_need_two_factor,
                audit_retention_days: args.audit_retention_days.max(1),
                booking_retention_days: args.booking_retention_days.max(1),
                data_key: args.keys.data_key.filter(|k| !k.is_empty()),
                data_key_previous: args.keys.data_key_previous.filter(|k| !k.is_empty()),
                job_lease_seconds: args.job_lease_seconds.max(1),
                job_workers: args.job_workers.min(64),
                metrics_addr: args.metrics_addr,
                render_cache_bytes: args.render_cache_mb.saturating_mul(1024 * 1024),
                notify: anxin_app::notify::Settings {
                    smtp_url: args.smtp_url.filter(|u| !u.is_empty()),
                    mail_from,
                    webhook_url: args.webhook_url.filter(|u| !u.is_empty()),
                    webhook_secret: args.webhook_secret.filter(|u| !u.is_empty()),
                },
                ..Config::new(args.addr, args.db.url(), args.db.data_dir.clone())
            })
            .await?;
            tracing::info!("Anxin is listening on http://{}", running.addr);
            running.wait().await?;
        }
        Command::Migrate(db) => {
            open_database(&db.url()).await?;
            println!("database is up to date");
        }
        Command::DemoData { db, keys, scale } => {
            let database = open_database(&db.url()).await?;
            match scale {
                DemoScale::Sample => {
                    anxin_app::demo::seed(&database, &Clock::System).await?;
                    println!("sample content is in place");
                }
                DemoScale::City => {
                    let keys = keys.load(&db, &database)?;
                    let started = std::time::Instant::now();
                    let made = anxin_app::demo::city::seed(
                        &database,
                        &Clock::System,
                        &keys,
                        Default::default(),
                    )
                    .await?;
                    println!(
                        "city data set in place ({} organisations; added {} items and {} past bookings in {} s)",
                        made.organisations,
                        made.items_published,
                        made.past_bookings,
                        started.elapsed().as_secs()
                    );
                }
            }
            database.close().await;
        }
        Command::Hotline(command) => return hotline(command).await,
        Command::Instruments(command) => return instruments(command),
        Command::Org(command) => return org(command).await,
        Command::Staff(command) => return staff(command).await,
        Command::Key(KeyCommand::Generate) => {
            println!("{}", anxin_app::booking::secret::generate_key());
        }
        Command::Jobs(command) => return jobs(command).await,
        Command::Backup { db, to } => {
            let database = open_database(&db.url()).await?;
            let report = anxin_server::ops::backup(&database, &db.data_dir, &to).await?;
            if report.database {
                println!("database copied to {}", to.join("anxin.db").display());
            } else {
                println!("the database is PostgreSQL: back it up with pg_dump (see the README)");
            }
            println!(
                "{} new upload files copied; data key {}",
                report.uploads,
                if report.key {
                    "copied"
                } else {
                    "not in the data directory (from ANXIN_DATA_KEY?)"
                }
            );
        }
        Command::Healthcheck { addr } => {
            let healthy = anxin_server::health::probe(addr).await;
            return Ok(if healthy {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::Restore { from, data_dir } => {
            let database = anxin_server::ops::restore(&from, &data_dir).await?;
            database.close().await;
            println!("restored {} into {}", from.display(), data_dir.display());
        }
        Command::Copy { from, to } => {
            let source = open_database(&from).await?;
            let target = anxin_app::db::Db::connect(&to).await?;
            let report = anxin_server::ops::copy(&source, &target).await?;
            for (table, (rows, sum)) in &report.tables {
                println!("{table}: {rows} rows, sha256 {}", &sum[..16]);
            }
            println!("copied and verified {} tables", report.tables.len());
        }
        Command::Booking(BookingCommand::Rekey { db, keys }) => {
            let database = open_database(&db.url()).await?;
            let keys = keys.load(&db, &database)?;
            let (done, unreadable) = anxin_app::booking::service::rekey(&database, &keys)
                .await
                .map_err(Failure::from)?;
            println!("re-sealed {done} bookings with key {}", keys.current().id());
            if unreadable > 0 {
                eprintln!(
                    "{unreadable} bookings are sealed with a key not given; they were left as they are"
                );
                return Ok(ExitCode::from(2));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn jobs(command: JobsCommand) -> anyhow::Result<ExitCode> {
    use anxin_app::jobs::service::{self as queue, Filter};
    match command {
        JobsCommand::List { db, state, limit } => {
            let database = open_database(&db.url()).await?;
            let filter = Filter {
                state,
                limit,
                ..Filter::default()
            };
            let rows = queue::list_all(&database, &filter)
                .await
                .map_err(Failure::from)?;
            for job in rows {
                let due = anxin_app::time::format_local(job.run_at);
                println!(
                    "{}\t{}\t{}\t{}/{}\t{due}\t{}",
                    job.id,
                    job.kind.as_str(),
                    job.state.as_str(),
                    job.attempts,
                    job.max_attempts,
                    job.last_error
                );
            }
        }
        JobsCommand::Retry { db, id } => {
            let database = open_database(&db.url()).await?;
            match queue::retry_as_operator(
                &database,
                anxin_app::ids::JobId(id),
                Clock::System.unix(),
            )
            .await
            {
                Ok(()) => println!("job {id} is queued again"),
                Err(error) => return refuse(error),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The operator's context on the database `db` names.
async fn system(db: &DbArgs) -> anyhow::Result<Ctx> {
    Ok(Ctx::system(open_database(&db.url()).await?, Clock::System))
}

/// Says why an operation was refused, in both languages, and exits with 2.
fn refuse(failure: impl Into<Failure>) -> anyhow::Result<ExitCode> {
    let failure = failure.into();
    if let Failure::Unavailable = failure {
        anyhow::bail!("the database could not be reached");
    }
    let key = failure.key();
    eprintln!("{}\n{}", t(Locale::Zh, key), t(Locale::En, key));
    Ok(ExitCode::from(2))
}

async fn hotline(command: HotlineCommand) -> anyhow::Result<ExitCode> {
    match command {
        HotlineCommand::List(db) => {
            let ctx = system(&db).await?;
            for line in hotlines::list(&ctx).await.map_err(Failure::from)? {
                let owner = line
                    .org_id
                    .map_or_else(|| "site".to_string(), |o| format!("org {o}"));
                println!(
                    "{}\t{}\t{owner}\t{} / {}\t{} / {}",
                    line.id, line.number, line.name_zh, line.name_en, line.hours_zh, line.hours_en
                );
            }
        }
        HotlineCommand::Add {
            db,
            name_zh,
            name_en,
            number,
            hours_zh,
            hours_en,
            sort_order,
        } => {
            let line = NewHotline {
                name_zh,
                name_en,
                number,
                hours_zh,
                hours_en,
                sort_order,
            };
            let ctx = system(&db).await?;
            if let Err(error) = hotlines::add(&ctx, HotlineOwner::Site, line, false).await {
                return refuse(error);
            }
            println!(
                "saved; running servers show it within {} s",
                anxin_server::HOTLINE_REFRESH.as_secs()
            );
        }
        HotlineCommand::Remove { db, id } => {
            let ctx = system(&db).await?;
            if let Err(error) = hotlines::remove(&ctx, anxin_app::ids::HotlineId(id)).await {
                return refuse(error);
            }
            println!("removed");
        }
        HotlineCommand::Hours {
            db,
            number,
            hours_zh,
            hours_en,
        } => {
            let ctx = system(&db).await?;
            let hours = NationalHours {
                number,
                hours_zh,
                hours_en,
            };
            if let Err(error) = hotlines::set_national_hours(&ctx, hours).await {
                return refuse(error);
            }
            println!(
                "saved; running servers show it within {} s",
                anxin_server::HOTLINE_REFRESH.as_secs()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn org(command: OrgCommand) -> anyhow::Result<ExitCode> {
    use anxin_app::orgs::{NewOrg, service};
    match command {
        OrgCommand::List(db) => {
            let ctx = system(&db).await?;
            for org in service::list(&ctx).await.map_err(Failure::from)? {
                println!(
                    "{}\t{}\t{}\t{}\t{} / {}",
                    org.id,
                    org.slug,
                    org.kind.as_str(),
                    org.parent_id
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "-".into()),
                    org.name_zh,
                    org.name_en
                );
            }
        }
        OrgCommand::Add {
            db,
            slug,
            kind,
            name_zh,
            name_en,
            region,
            parent,
        } => {
            let ctx = system(&db).await?;
            let parent_id = match parent {
                Some(parent) => match service::by_slug(&ctx, &parent).await {
                    Ok(p) => Some(p.id),
                    Err(_) => return refuse(Failure::invalid("parent", "org-error-parent")),
                },
                None => None,
            };
            let org = NewOrg {
                parent_id,
                slug,
                kind,
                name_zh,
                name_en,
                region,
            };
            let slug = org.slug.trim().to_ascii_lowercase();
            match service::create(&ctx, org).await {
                Ok(id) => println!("organisation {id} ({slug}) added"),
                Err(error) => return refuse(error),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn staff(command: StaffCommand) -> anyhow::Result<ExitCode> {
    use anxin_app::orgs::service as orgs;
    use anxin_app::staff::service::{self, NewAccount};
    match command {
        StaffCommand::Create {
            db,
            username,
            display_name,
            org,
            role,
        } => {
            let secret = match std::env::var("ANXIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let ctx = system(&db).await?;
            let Ok(org) = orgs::by_slug(&ctx, &org).await else {
                return refuse(Failure::invalid("org", "org-error-unknown"));
            };
            let account = NewAccount {
                username,
                display_name,
                password: secret,
                org: org.id,
                role,
            };
            let name = account.username.trim().to_ascii_lowercase();
            match service::create_account(&ctx, account, "").await {
                Ok(_) => println!("account {name} created: {} of {}", role.as_str(), org.slug),
                Err(error) => return refuse(error),
            }
        }
        StaffCommand::Grant {
            db,
            username,
            org,
            role,
        } => {
            let ctx = system(&db).await?;
            let (Ok(account), Ok(org)) = (
                service::find(&ctx, &username).await,
                orgs::by_slug(&ctx, &org).await,
            ) else {
                return refuse(Failure::invalid("username", "error-bad-input"));
            };
            if let Err(error) = service::set_role(&ctx, account.id, org.id, role, true, "").await {
                return refuse(error);
            }
            println!(
                "{} is now also {} of {}",
                account.username,
                role.as_str(),
                org.slug
            );
        }
        StaffCommand::Disable { db, username } => {
            let ctx = system(&db).await?;
            let account = match service::find(&ctx, &username).await {
                Ok(account) => account,
                Err(error) => return refuse(error),
            };
            if let Err(error) = service::set_disabled(&ctx, account.id, true).await {
                return refuse(error);
            }
            println!("{} disabled; their sessions ended", account.username);
        }
        StaffCommand::ResetTwoFactor { db, username } => {
            let ctx = system(&db).await?;
            let account = match service::find(&ctx, &username).await {
                Ok(account) => account,
                Err(error) => return refuse(error),
            };
            if let Err(error) = service::reset_two_factor(&ctx, account.id).await {
                return refuse(error);
            }
            println!(
                "{}: two-factor sign-in is off; they set it up again after signing in",
                account.username
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn instruments(command: InstrumentsCommand) -> anyhow::Result<ExitCode> {
    use anxin_app::self_check::catalogue;
    match command {
        InstrumentsCommand::List { data_dir } => {
            for inst in catalogue::load(&data_dir).0.iter() {
                println!(
                    "{}\t{}\t{} items\t{}",
                    inst.id,
                    inst.short_name,
                    inst.items.len(),
                    anxin_screening::text(&inst.name, "en")
                );
            }
        }
        InstrumentsCommand::Validate { file } => match catalogue::read(&file) {
            Ok(inst) => println!(
                "{}: valid ({} {}, {} items, {} scores)",
                file.display(),
                inst.id,
                inst.short_name,
                inst.items.len(),
                inst.scores.len()
            ),
            Err(problems) => {
                eprintln!("{}: not valid", file.display());
                for p in problems {
                    eprintln!("  - {p}");
                }
                return Ok(ExitCode::from(2));
            }
        },
        InstrumentsCommand::Values { id, data_dir } => {
            let Some(inst) = catalogue::load(&data_dir).get(&id).cloned() else {
                eprintln!("no instrument {id:?}; `anxin instruments list` shows them");
                return Ok(ExitCode::from(2));
            };
            let values: Vec<Vec<i32>> = inst
                .items
                .iter()
                .map(|item| {
                    inst.scale_of(item)
                        .map(|s| s.options.iter().map(|o| o.value).collect())
                        .unwrap_or_default()
                })
                .collect();
            println!("{}", serde_json::to_string(&values)?);
        }
        InstrumentsCommand::Fhir {
            id,
            answers,
            lang,
            data_dir,
        } => {
            let Some(inst) = catalogue::load(&data_dir).get(&id).cloned() else {
                eprintln!("no instrument {id:?}; `anxin instruments list` shows them");
                return Ok(ExitCode::from(2));
            };
            let outcome = match inst.score(&answers, None) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let lang = if lang == "en" { "en" } else { "zh-CN" };
            println!(
                "{}",
                serde_json::json!({
                    "questionnaire": anxin_screening::fhir::questionnaire(&inst, lang),
                    "response": anxin_screening::fhir::questionnaire_response(&inst, &answers, &outcome, lang),
                })
            );
        }
        InstrumentsCommand::Score {
            id,
            answers,
            age,
            data_dir,
        } => {
            let inst = if id.ends_with(".json") {
                catalogue::read(std::path::Path::new(&id))
                    .map_err(|p| anyhow::anyhow!(p.join("; ")))?
            } else {
                let all = catalogue::load(&data_dir);
                let Some(inst) = all.get(&id).cloned() else {
                    eprintln!("no instrument {id:?}; `anxin instruments list` shows them");
                    return Ok(ExitCode::from(2));
                };
                inst
            };
            let outcome = match inst.score(&answers, age) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&score_report(&inst, &outcome, age))?
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The outcome with each band's level and labels spelled out.
fn score_report(
    inst: &anxin_screening::Instrument,
    outcome: &anxin_screening::Outcome,
    age: Option<u8>,
) -> serde_json::Value {
    let scores: Vec<_> = inst
        .scores
        .iter()
        .zip(&outcome.scores)
        .map(|(def, r)| {
            let band = r.band.map(|b| &inst.bands_for(def, age)[b]);
            serde_json::json!({
                "id": r.id,
                "value": r.value,
                "min": r.min,
                "max": r.max,
                "direction": def.direction,
                "band": band.map(|b| serde_json::json!({ "level": b.level, "label": b.label })),
                "age_specific": r.age_specific,
            })
        })
        .collect();
    serde_json::json!({
        "instrument": outcome.instrument,
        "version": outcome.version,
        "scores": scores,
        "crisis": outcome.crisis,
        "critical_items": outcome.critical_items,
        "reliable": outcome.reliable,
    })
}
