using System.Text.Json;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Refuses members a request body does not define. A misspelt field ignored silently does harm: a tenant created with
/// <c>"dailyQuota": 3</c> (the field is <c>dailyRequestQuota</c>) would have no quota while its operator believes it has
/// one. Bodies bound to types are checked by System.Text.Json itself (<see cref="System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow"/>,
/// set for every endpoint in <see cref="ServingApp.AddModelServing"/>; <see cref="BadRequestExceptionHandler"/> words
/// its error with <see cref="Unknown"/>); bodies read as <see cref="JsonElement"/> (predict, feedback) call <see cref="RequireKnown"/>.
/// </summary>
internal static class JsonFields
{
    /// <summary>Throws a <see cref="BadInputException"/> (400) naming the first member of <paramref name="body"/> not in <paramref name="accepted"/>.</summary>
    /// <param name="what">What the body is, for the message, e.g. "a predict body".</param>
    public static void RequireKnown(JsonElement body, IReadOnlyCollection<string> accepted, string what)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return;
        foreach (var property in body.EnumerateObject())
        {
            if (!accepted.Contains(property.Name))
                throw new BadInputException(Unknown(property.Name, accepted, what));
        }
    }

    /// <summary>The one wording of an unknown field: which, what the body accepts, what to do.</summary>
    public static string Unknown(string field, IEnumerable<string> accepted, string what) =>
        $"\"{field}\" is not a field of {what}; the accepted fields are {string.Join(", ", accepted.Select(f => $"\"{f}\""))}. " +
        "Fix its spelling or remove it: unknown fields are refused rather than ignored, so a misspelt setting cannot be lost silently.";
}
