using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelLoop.Dashboard;
using ModelLoop.Serving;
using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Logging;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Artifacts;
using ModelLoop.Storage;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop serve</c>: the model server (ASP.NET Core, Kestrel). By default it serves the model registry
/// (<c>--home</c>, else $MODELLOOP_HOME, else .modelloop): every registered model at its "production" alias
/// (else its newest version), following promotions and rollbacks as they happen. <c>--models DIR</c> serves a
/// folder of training runs instead. The admin key is read from $MODELLOOP_ADMIN_KEY or a file
/// (<c>--admin-key-file</c>), never from the command line, where any user could read it in the process list.
/// </summary>
internal static class ServeCommand
{
    /// <summary>What the options say, for <see cref="BuildApp"/> (tests build the app without blocking).</summary>
    /// <param name="Models">Folder of run folders; null serves the registry in <see cref="Home"/>.</param>
    internal sealed record Settings(string? Models, string Urls, string Database, string? AdminKey, bool NoKeys,
        int MaxBatch, double MaxDelayMs, int Queue, int Threads)
    {
        /// <summary>The registry's home when <see cref="Models"/> is null. Defaults to null: $MODELLOOP_HOME, else .modelloop.</summary>
        public string? Home { get; init; }

        /// <summary>How often the registry is polled for promotions. Defaults to 2 s.</summary>
        public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromSeconds(2);

        /// <summary>The prediction log's settings. Defaults to the server's: off.</summary>
        public PredictionLogOptions Log { get; init; } = new();

        /// <summary>Background retraining. Defaults to the server's: off.</summary>
        public RetrainingOptions Retraining { get; init; } = new();

        /// <summary>What runs the forward passes. Defaults to <see cref="ServingBackend.Auto"/>: each package's runtime.</summary>
        public ServingBackend Backend { get; init; }

        /// <summary>What every load insists on (a signature by a trusted key, encryption). Defaults to nothing required.</summary>
        public ArtifactLoadOptions Verification { get; init; } = new();
    }

    public static Command Create()
    {
        var models = new Option<string?>("--models", "-m") { Description = "Serve a folder of run folders (written by `modelloop train --out`), one sub-folder per model, versions as sub-folders, instead of the registry. Defaults to none: the registry is served." };
        var home = RunsTrackingOptions.HomeOption();
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, ';'-separated. Defaults to http://127.0.0.1:5000.", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var database = new Option<string>("--db") { Description = "SQLite file for tenants, API keys and usage. Defaults to modelloop-serving.db.", DefaultValueFactory = _ => "modelloop-serving.db" };
        var adminKeyFile = new Option<string?>("--admin-key-file") { Description = $"File holding the key for tenant management (POST /v1/admin/tenants), e.g. a mounted secret. Defaults to none: the {AdminKeyVariable} environment variable; neither disables management." };
        // Not offered, only recognized: a key given here is refused with how to pass it instead.
        var adminKey = new Option<string?>("--admin-key") { Hidden = true };
        var noKeys = new Option<bool>("--no-keys") { Description = "Serve calls without an API key as tenant 'anonymous' with every model (local use only). Defaults to off." };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most items per forward pass (1: no batching). Defaults to 32.", DefaultValueFactory = _ => 32 };
        var maxDelay = new Option<double>("--max-delay-ms") { Description = "Longest a request waits for its batch to fill. Defaults to 2.", DefaultValueFactory = _ => 2 };
        var queue = new Option<int>("--queue") { Description = "Requests that may wait per model; beyond it 429. Defaults to 1024.", DefaultValueFactory = _ => 1024 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op CPU threads. Defaults to 1 (batching supplies the parallel work; see docs/benchmarks.md).", DefaultValueFactory = _ => 1 };
        var logPredictions = new Option<bool>("--log-predictions") { Description = "Log every answered prediction (request id, model version, time, outputs, latency, monitored features) and accept feedback on them (POST /v1/models/{name}/feedback). Defaults to off." };
        var logPath = new Option<string?>("--prediction-log") { Description = $"The prediction log's SQLite file. Defaults to {PredictionLog.DefaultFileName} next to --db." };
        var logInputs = new Option<string>("--log-inputs") { Description = "What the log keeps of each input: raw, anonymized (records with personal data masked; hash only for tensors and images), hash (SHA-256 only) or none. Defaults to hash.", DefaultValueFactory = _ => "hash" };
        var logRate = new Option<double>("--log-sample-rate") { Description = "The fraction of requests logged, 0…1. Defaults to 1.", DefaultValueFactory = _ => 1 };
        var logDays = new Option<double>("--log-retention-days") { Description = "Logged requests older than this are deleted with their feedback (0: kept forever). Defaults to 30.", DefaultValueFactory = _ => 30 };
        var logMb = new Option<double>("--log-max-mb") { Description = "Beyond this many MiB of log rows the oldest requests are deleted (0: no bound). Defaults to 1024.", DefaultValueFactory = _ => 1024 };
        var retrain = new Option<bool>("--retrain") { Description = "Run the retraining policy in the background: drift alarms, live accuracy or new labels start a job on the logged feedback, promoted only through the gate. Needs the registry and --log-predictions with --log-inputs raw or anonymized. Defaults to off." };
        var retrainPolicy = new Option<string?>("--retrain-policy") { Description = "The retraining policy (YAML or JSON: triggers, cool-down, mode, tolerance). Defaults to the policy's defaults." };
        var retrainInterval = new Option<double>("--retrain-interval") { Description = "Seconds between two rounds of the background policy. Defaults to 60.", DefaultValueFactory = _ => 60 };
        var noLogFeatures = new Option<bool>("--no-log-features") { Description = "Do not keep each item's monitored features (what drift detection reads). Defaults to off: they are kept." };
        var backend = new Option<string>("--backend") { Description = "What runs the models: auto (each package's runtime: TorchSharp, or ONNX Runtime for ONNX packages) or onnx (ONNX Runtime for all; TorchSharp packages are exported to ONNX at load). Defaults to auto.", DefaultValueFactory = _ => "auto" };
        var (requireSignature, requireEncryption) = KeysCommand.RequireOptions();
        var command = new Command("serve", "Serve the registry's models (or --models DIR) over HTTP: predict with dynamic batching, hot reload on promotion, API keys, metering, a prediction log with feedback, /metrics, /openapi/v1.json.")
        {
            home, models, urls, database, adminKeyFile, adminKey, noKeys, maxBatch, maxDelay, queue, threads,
            logPredictions, logPath, logInputs, logRate, logDays, logMb, noLogFeatures, retrain, retrainPolicy, retrainInterval, backend, requireSignature, requireEncryption,
        };
        command.SetAction(result =>
        {
            if (result.GetResult(adminKey) is not null)
                throw new ArgumentException($"--admin-key is not accepted: a key on the command line is visible to every user in the process list. Set {AdminKeyVariable} in the server's environment, or write the key to a file readable only by the server and pass --admin-key-file PATH.");
            var settings = new Settings(result.GetValue(models), result.GetValue(urls)!, result.GetValue(database)!,
                ReadAdminKey(result.GetValue(adminKeyFile)), result.GetValue(noKeys),
                result.GetValue(maxBatch), result.GetValue(maxDelay), result.GetValue(queue), result.GetValue(threads))
            {
                Home = result.GetValue(home),
                Backend = ParseBackend(result.GetValue(backend)!),
                Verification = new ArtifactLoadOptions { RequireSignature = result.GetValue(requireSignature), RequireEncryption = result.GetValue(requireEncryption) },
                Log = new PredictionLogOptions
                {
                    Enabled = result.GetValue(logPredictions),
                    Path = result.GetValue(logPath),
                    Inputs = ParseInputStorage(result.GetValue(logInputs)!),
                    SampleRate = result.GetValue(logRate),
                    Features = !result.GetValue(noLogFeatures),
                    RetentionDays = result.GetValue(logDays) is var days and not 0 ? days : null,
                    MaxMegabytes = result.GetValue(logMb) is var mb and not 0 ? mb : null,
                }.Validate(),
                Retraining = Retraining(result.GetValue(retrain), result.GetValue(retrainPolicy), result.GetValue(retrainInterval), result.GetValue(logPredictions), result.GetValue(models)),
            };
            using var app = BuildApp(settings);
            var source = app.Services.GetRequiredService<IModelCatalog>() is RegistryCatalog registry ? $"registry {registry.Registry.Home}" : Path.GetFullPath(settings.Models!);
            Console.WriteLine($"Serving from {source} on {settings.Urls}{(settings.Backend == ServingBackend.Onnx ? ", every model through ONNX Runtime" : "")} (Ctrl+C stops):");
            foreach (var model in app.WarmUpAsync().GetAwaiter().GetResult())
                Console.WriteLine(model.Ready ? $"  {model.Name}: version {model.Version}" : $"  {model.Name}: NOT SERVED (503) — {model.Problem}");
            if (settings.Log.Enabled)
                Console.WriteLine($"Logging predictions to {settings.Log.Path ?? PredictionLog.PathNextTo(settings.Database)} (inputs: {settings.Log.Inputs}, sample rate {settings.Log.SampleRate}); feedback: POST /v1/models/{{name}}/feedback.");
            if (settings.Retraining.Enabled)
                Console.WriteLine($"Retraining in the background every {settings.Retraining.Interval.TotalSeconds:0} s ({settings.Retraining.PolicyPath ?? "default policy"}); jobs: retraining.db in the registry's home.");
            if (settings.AdminKey is null && !settings.NoKeys)
                Console.WriteLine($"No admin key: tenants cannot be created. Set {AdminKeyVariable} or pass --admin-key-file PATH (a file holding the key).");
            app.Run();
            return 0;
        });
        return command;
    }

    /// <summary>The environment variable holding the admin key: MODELLOOP_ADMIN_KEY.</summary>
    public const string AdminKeyVariable = "MODELLOOP_ADMIN_KEY";

    /// <summary>
    /// The admin key: the file's content (surrounding whitespace and line breaks trimmed) when <paramref name="file"/>
    /// is given, else $MODELLOOP_ADMIN_KEY; null when neither holds one.
    /// </summary>
    internal static string? ReadAdminKey(string? file)
    {
        if (file is null)
            return Environment.GetEnvironmentVariable(AdminKeyVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        if (!File.Exists(file))
            throw new FileNotFoundException($"The admin key file '{file}' (--admin-key-file) does not exist. Write the key to a file readable only by the server and pass its path, or set {AdminKeyVariable} instead.", file);
        var key = File.ReadAllText(file).Trim();
        if (key.Length == 0)
            throw new ArgumentException($"The admin key file '{file}' (--admin-key-file) is empty. Write the key into it (one line), or set {AdminKeyVariable} instead.");
        return key;
    }

    /// <summary>--log-inputs: raw, anonymized, hash or none (any case).</summary>
    internal static InputStorage ParseInputStorage(string text) =>
        Enum.TryParse<InputStorage>(text, ignoreCase: true, out var storage) && Enum.IsDefined(storage) && !int.TryParse(text, out _)
            ? storage
            : throw new ArgumentException($"--log-inputs accepts raw, anonymized, hash or none; received '{text}'.");

    // --retrain needs what a job learns from: the registry and logged feedback. The policy file is read now, so a bad one
    // stops the server before it listens rather than failing every round.
    private static RetrainingOptions Retraining(bool enabled, string? policy, double seconds, bool logging, string? models)
    {
        if (!enabled)
            return new RetrainingOptions();
        if (models is not null)
            throw new ArgumentException("--retrain retrains registered models; it cannot be combined with --models (run folders). Serve the registry (--home DIR).");
        if (!logging)
            throw new ArgumentException("--retrain learns from logged feedback; add --log-predictions (and --log-inputs raw or anonymized so the feedback's inputs can be exported).");
        if (!(seconds >= 1))
            throw new ArgumentException($"--retrain-interval is {seconds}; expected at least 1 second (e.g. 60).");
        if (policy is not null)
            Monitoring.Retraining.RetrainingPolicy.Load(policy);
        return new RetrainingOptions { Enabled = true, PolicyPath = policy, Interval = TimeSpan.FromSeconds(seconds) };
    }

    private static ServingBackend ParseBackend(string text) =>
        Enum.TryParse<ServingBackend>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _)
            ? parsed
            : throw new ArgumentException($"--backend must be auto or onnx; received '{text}'.");

    internal static WebApplication BuildApp(Settings settings)
    {
        var batching = new BatchingOptions
        {
            MaxBatchSize = settings.MaxBatch,
            MaxDelay = TimeSpan.FromMilliseconds(settings.MaxDelayMs),
            QueueCapacity = settings.Queue,
        }.Validate();
        // Both check their source before anything listens.
        IModelCatalog catalog = settings.Models is { } folder
            ? new RunFolderCatalog(folder, batching)
            {
                Backend = settings.Backend, OnnxThreads = settings.Threads,
                Verification = settings.Verification with { TrustedKeys = ModelRegistry.ReadTrustedKeys(settings.Home) }, // the registry's keys verify run folders too
            }
            : new RegistryCatalog(OpenRegistry(settings.Home), batching) { Backend = settings.Backend, OnnxThreads = settings.Threads, Verification = settings.Verification };
        var app = ServingApp.Build(["--urls", settings.Urls], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serving:DatabasePath"] = settings.Database,
                ["Serving:AdminKey"] = settings.AdminKey,
                ["Serving:RequireApiKeys"] = settings.NoKeys ? "false" : "true",
                ["Serving:TorchThreads"] = settings.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Serving:ReloadInterval"] = settings.ReloadInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
                [$"{PredictionLogOptions.Section}:Enabled"] = settings.Log.Enabled ? "true" : "false",
                [$"{PredictionLogOptions.Section}:Path"] = settings.Log.Path,
                [$"{PredictionLogOptions.Section}:Inputs"] = settings.Log.Inputs.ToString(),
                [$"{PredictionLogOptions.Section}:SampleRate"] = settings.Log.SampleRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                [$"{PredictionLogOptions.Section}:Features"] = settings.Log.Features ? "true" : "false",
                [$"{PredictionLogOptions.Section}:RetentionDays"] = settings.Log.RetentionDays?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "", // "" binds null: no bound
                [$"{PredictionLogOptions.Section}:MaxMegabytes"] = settings.Log.MaxMegabytes?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                [$"{RetrainingOptions.Section}:Enabled"] = settings.Retraining.Enabled ? "true" : "false",
                [$"{RetrainingOptions.Section}:PolicyPath"] = settings.Retraining.PolicyPath,
                [$"{RetrainingOptions.Section}:Interval"] = settings.Retraining.Interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            });
            builder.Services.AddSingleton<IModelCatalog>(catalog);
            builder.Services.AddDashboard(dashboard => // the web dashboard under /ui; its cookie keys next to the serving database
            {
                dashboard.Home = settings.Home;
                dashboard.KeysFolder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Database))!, "dashboard-keys");
            });
        });
        return app.MapDashboard();
    }

    // Opening a registry creates it; serving must not leave an empty .modelloop/ wherever it was started.
    private static ModelRegistry OpenRegistry(string? home)
    {
        var folder = ModelLoopHome.Resolve(home);
        if (!File.Exists(Path.Combine(folder, "registry.db")))
            throw new FileNotFoundException($"No model registry in '{folder}' (no registry.db). Register a model first (`modelloop train … --register NAME` or `modelloop models register NAME ARTIFACT`), pass --home DIR (or set ${ModelLoopHome.EnvironmentVariable}) to the registry's folder, or serve run folders with --models DIR.");
        return new ModelRegistry(folder);
    }
}
