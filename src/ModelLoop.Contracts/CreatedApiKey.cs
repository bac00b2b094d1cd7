namespace ModelLoop.Contracts;

/// <summary>A new API key (POST /v1/admin/tenants, POST /v1/admin/tenants/{id}/keys). <see cref="Key"/> is shown only once: store it; <see cref="KeyId"/> revokes it.</summary>
public sealed record CreatedApiKey(string TenantId, string KeyId, string Key);
