namespace ModelLoop.Client;

/// <summary>A new API key. <see cref="Key"/> is shown only once: store it; <see cref="KeyId"/> revokes it.</summary>
public sealed record CreatedApiKey(string TenantId, string KeyId, string Key);
