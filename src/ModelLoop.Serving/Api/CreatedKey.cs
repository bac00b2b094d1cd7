namespace ModelLoop.Serving.Api;

/// <summary>A tenant with a newly created key: the key is shown here once and never again.</summary>
public sealed record CreatedKey(string TenantId, string KeyId, string Key);
