using System.Text;

namespace ModelLoop.Serving.Language;

/// <summary>
/// How /v1/chat/completions turns messages into one prompt for our small models, which know no special chat tokens:
/// one role-tagged line per message, then the assistant's tag for the reply —
/// <code>
/// system: You answer briefly.
/// user: Tell me a fortune.
/// assistant:
/// </code>
/// A message's text is kept as sent (newlines included). The reply ends at the end-of-text token, the request's own stop
/// strings, or a new role tag at the start of a line (<see cref="Stops"/>), which the model would otherwise write
/// when it goes on to play the user.
/// </summary>
public static class ChatTemplate
{
    /// <summary>The roles accepted; "developer" (OpenAI's newer name for system instructions) is written as "system".</summary>
    public static IReadOnlyList<string> Roles { get; } = ["system", "developer", "user", "assistant"];

    /// <summary>Stop strings added to every chat request: a role tag starting a new line.</summary>
    public static IReadOnlyList<string> Stops { get; } = ["\nuser:", "\nsystem:", "\nassistant:"];

    /// <summary>The prompt for <paramref name="messages"/> (role, text), ending in "assistant:".</summary>
    public static string Apply(IEnumerable<(string Role, string Content)> messages)
    {
        var prompt = new StringBuilder();
        foreach (var (role, content) in messages)
            prompt.Append(role == "developer" ? "system" : role).Append(": ").Append(content).Append('\n');
        return prompt.Append("assistant:").ToString();
    }
}
