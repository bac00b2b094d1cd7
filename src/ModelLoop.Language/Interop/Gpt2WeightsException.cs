namespace ModelLoop.Language.Interop;

/// <summary>GPT-2-layout weights that do not fit the model: the <see cref="Report"/> lists the missing, unexpected and mis-shaped tensors.</summary>
public sealed class Gpt2WeightsException : FormatException
{
    public Gpt2WeightsException(string source, Gpt2LoadReport report)
        : base($"{source} does not fit a GPT-2 model of the configured sizes: {report}. " +
               "What to do: check the config (n_layer, n_head, n_embd, vocab_size, n_positions) against the file, or load non-strictly to keep the initial values of what is missing.")
        => Report = report;

    public Gpt2LoadReport Report { get; }
}
