namespace ModelLoop.Data.Versioning;

/// <summary>One file of a prepared dataset: its path relative to the manifest, size and SHA-256 (lower-case hex).</summary>
public sealed record ManifestFile(string Path, long Bytes, string Sha256);
