namespace ModelLoop.Serving.Batching;

/// <summary>A model version exists in the catalog but could not be loaded (a server-side problem: 503, not the client's fault).</summary>
internal sealed class ModelUnavailableException(string message, Exception inner) : Exception(message, inner);
