namespace ModelLoop.Serving.Api;

/// <summary>The request's body cannot be predicted on; the message says what was wrong and what to send (becomes a 400).</summary>
internal sealed class BadInputException(string message) : Exception(message);
