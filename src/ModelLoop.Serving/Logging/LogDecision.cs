namespace ModelLoop.Serving.Logging;

/// <summary>That one request is logged, under which rule (<see cref="PredictionRecorder.Decide"/>).</summary>
internal sealed record LogDecision(PredictionLogRule Rule)
{
    /// <summary>Whether the request's items need their embeddings from <paramref name="model"/>.</summary>
    public bool NeedsEmbeddings(Catalog.ServableModel model) => Rule.Features == true && model.Monitor is { NeedsEmbedding: true };
}
