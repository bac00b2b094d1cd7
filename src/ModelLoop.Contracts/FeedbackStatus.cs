using System.Text.Json.Serialization;

namespace ModelLoop.Contracts;

/// <summary>What the server did with a feedback, written as "Created", "Unchanged" or "Replaced".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeedbackStatus>))]
public enum FeedbackStatus
{
    /// <summary>The first feedback for the item: stored (201).</summary>
    Created,
    /// <summary>The same feedback was stored already, e.g. a retry: nothing changed (200).</summary>
    Unchanged,
    /// <summary>Different feedback was stored for the item; this one replaced it: last write wins (200).</summary>
    Replaced,
}
