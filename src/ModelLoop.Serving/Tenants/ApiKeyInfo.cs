namespace ModelLoop.Serving.Tenants;

/// <summary>One API key as listed: its id, owner and dates — never the key (only its SHA-256 is stored).</summary>
public sealed record ApiKeyInfo(string Id, string TenantId, DateTimeOffset CreatedUtc, DateTimeOffset? RevokedUtc)
{
    public bool Revoked => RevokedUtc is not null;
}
