namespace ModelLoop.Language.Generation;

/// <summary>Why generation of one prompt ended (OpenAI's finish_reason: Length is "length", the others "stop").</summary>
public enum FinishReason
{
    /// <summary>MaxNewTokens were generated.</summary>
    Length,

    /// <summary>The model produced the end-of-text token.</summary>
    EndOfText,

    /// <summary>The text reached one of the stop sequences.</summary>
    Stop,
}
