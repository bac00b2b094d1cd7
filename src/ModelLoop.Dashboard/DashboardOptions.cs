namespace ModelLoop.Dashboard;

/// <summary>What the dashboard reads and who may log in to it.</summary>
public sealed class DashboardOptions
{
    /// <summary>The URL prefix every page and file lives under: /ui.</summary>
    public const string PathBase = "/ui";

    /// <summary>
    /// The ModelLoop home whose stores the pages read: runs.db, registry.db, studies.db, retraining.db. Defaults to null:
    /// $MODELLOOP_HOME, else .modelloop.
    /// </summary>
    public string? Home { get; set; }

    /// <summary>
    /// The admin key; logging in with it shows every page and every tenant. Defaults to null: the server's admin key when
    /// mounted by <c>modelloop serve</c>, else no admin login.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// Whether keys may be created and revoked, and grants and quotas changed, from the pages. Only the server that checks
    /// them may change them (it holds them in memory), so this is on when mounted by <c>modelloop serve</c> and off for
    /// <c>modelloop ui</c>.
    /// Defaults to true.
    /// </summary>
    public bool ManagesKeys { get; set; } = true;

    /// <summary>How long a login lasts without activity (sliding). Defaults to 8 hours.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Folder of the keys that protect the login cookies (ASP.NET Core Data Protection). Defaults to null: dashboard-keys under <see cref="Home"/>.</summary>
    public string? KeysFolder { get; set; }
}
