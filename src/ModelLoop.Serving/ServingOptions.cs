namespace ModelLoop.Serving;

/// <summary>The server's settings, bound from the "Serving" configuration section (appsettings, environment
/// variables such as <c>Serving__AdminKey</c>, or command-line <c>--Serving:ModelsPath=…</c>).</summary>
public sealed class ServingOptions
{
    public const string Section = "Serving";

    /// <summary>Folder of run folders served by <see cref="Catalog.RunFolderCatalog"/> (ignored when an
    /// <see cref="Catalog.IModelCatalog"/> is registered by the host). Defaults to "models".</summary>
    public string ModelsPath { get; set; } = "models";

    /// <summary>
    /// Home folder of a model registry (registry.db + artifacts/) to serve from with
    /// <see cref="Catalog.RegistryCatalog"/> instead of <see cref="ModelsPath"/>; requests without a version get
    /// the "production" alias, else the newest version. Defaults to null (serve <see cref="ModelsPath"/>).
    /// </summary>
    public string? RegistryHome { get; set; }

    /// <summary>SQLite file for tenants, API keys and usage. Defaults to "modelloop-serving.db".</summary>
    public string DatabasePath { get; set; } = "modelloop-serving.db";

    /// <summary>
    /// Key that manages tenants (sent like any API key). Null: management is disabled. The server refuses to start with a
    /// key shorter than <see cref="Tenants.AdminKeyPolicy.MinLength"/> characters or with too few distinct characters
    /// (generate one with <c>openssl rand -base64 32</c>). Defaults to null.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>When false, calls without a key act as tenant "anonymous" granted every model (local use,
    /// benchmarks). Defaults to true.</summary>
    public bool RequireApiKeys { get; set; } = true;

    /// <summary>Largest request body accepted; larger ones get 413. Defaults to 1 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 1 << 20;

    /// <summary>Most items in one predict request. Defaults to 1024.</summary>
    public int MaxItemsPerRequest { get; set; } = 1024;

    /// <summary>How often the catalog is polled for moved aliases. Defaults to 2 s.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Batching of every model the catalog built from these options serves. Defaults: 32 items, 2 ms, queue 1024.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <inheritdoc cref="MaxBatchSize"/>
    public double MaxDelayMs { get; set; } = 2;

    /// <inheritdoc cref="MaxBatchSize"/>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Requests per minute for a tenant created without its own limit. Defaults to 600.</summary>
    public int DefaultRequestsPerMinute { get; set; } = 600;

    /// <summary>
    /// libtorch CPU threads (intra-op). Null leaves libtorch's setting. Defaults to 1: each model already has its
    /// worker and batching supplies the parallel work; on 2 shared cores, 2 intra-op threads made single-item
    /// forwards ~20× slower (OpenMP hand-offs under contention; docs/benchmarks.md).
    /// ONNX Runtime's intra-op threads for the versions served through it follow this setting (null: its own choice).
    /// </summary>
    public int? TorchThreads { get; set; } = 1;

    /// <summary>
    /// What runs the forward passes of the catalog built from these options: each package's runtime, or ONNX Runtime
    /// for all (TorchSharp packages exported at load). Defaults to <see cref="ServingBackend.Auto"/>.
    /// </summary>
    public ServingBackend Backend { get; set; }

    /// <summary>
    /// Refuse (503 for that model) every version whose artifact is not signed by a trusted key: the registry's trusted
    /// keys (<c>modelloop keys trust</c>) — for run folders, those of the registry in <see cref="TrustedKeysHome"/>. Defaults to false.
    /// </summary>
    public bool RequireSignature { get; set; }

    /// <summary>Refuse (503 for that model) every version whose artifact is not encrypted at rest. Defaults to false.</summary>
    public bool RequireEncryption { get; set; }

    /// <summary>
    /// Registry home whose trusted keys verify the signatures of run folders served from <see cref="ModelsPath"/> (read at
    /// start). Defaults to null: $MODELLOOP_HOME, else .modelloop, when a registry is there; none otherwise.
    /// </summary>
    public string? TrustedKeysHome { get; set; }

    /// <summary>
    /// How long the answer to a predict call sent with an Idempotency-Key is kept for its retries (same tenant, same
    /// key: the stored answer, not run or billed again). Defaults to 1 hour.
    /// </summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most answers kept for Idempotency-Key retries; beyond it the oldest go. Defaults to 10,000.</summary>
    public int IdempotencyMaxEntries { get; set; } = 10_000;

    /// <summary>Memory the kept answers may take (estimated), in MiB; beyond it the oldest go. Defaults to 64.</summary>
    public double IdempotencyMaxMegabytes { get; set; } = 64;

    /// <summary>What every catalog built from these options insists on when it loads an artifact.</summary>
    internal Artifacts.ArtifactLoadOptions Verification => new() { RequireSignature = RequireSignature, RequireEncryption = RequireEncryption };

    /// <summary>
    /// Most spellings of (model, version or alias) whose resolution is cached and re-resolved on each poll; least recently
    /// used ones are dropped beyond it. Defaults to 1024.
    /// </summary>
    public int MaxResolvedVersions { get; set; } = 1024;

    /// <summary>
    /// Most model versions loaded at once (each holds its weights and a worker thread). Beyond it the least recently used
    /// version that no alias or default points to is unloaded (its queued requests finish first); versions an alias or a
    /// model's default points to stay loaded. Defaults to 16.
    /// </summary>
    public int MaxLoadedVersions { get; set; } = 16;

    /// <summary>A version no alias or default points to is unloaded after this long without requests. Defaults to 10 minutes.</summary>
    public TimeSpan IdleUnloadAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most bytes one predict request may expand to once decoded (items × the model's input elements × 4 bytes, twice:
    /// each item and the batch), checked before decoding; larger requests get 413. A 1 MiB body of small PNGs for a
    /// 224×224×3 model would otherwise expand to ~1.2 GB. Defaults to 64 MiB.
    /// </summary>
    public long MaxDecodedBytesPerRequest { get; set; } = 64L << 20;

    /// <summary>
    /// Most bytes in flight per model: the bodies being read and the decoded inputs of requests not yet answered. A request
    /// arriving when the model is at this bound, or its queue is full, is shed before its body is read: 503 (memory) or
    /// 429 (queue) with Retry-After. Defaults to 512 MiB.
    /// </summary>
    public long MaxInFlightBytesPerModel { get; set; } = 512L << 20;

    /// <summary>
    /// Requests with a missing, unknown or revoked API key allowed per client address and minute; beyond it 429 with
    /// Retry-After, so keys cannot be guessed at speed. Defaults to 30.
    /// </summary>
    public int FailedKeyAttemptsPerMinute { get; set; } = 30;

    internal Catalog.BatchingOptions Batching => new()
    {
        MaxBatchSize = MaxBatchSize,
        MaxDelay = TimeSpan.FromMilliseconds(MaxDelayMs),
        QueueCapacity = QueueCapacity,
    };
}
