using ModelLoop.Language.Corpora;
using ModelLoop.Language.Packaging;
using ModelLoop.Native;
using static TorchSharp.torch;

namespace ModelLoop.Language.Evaluation;

/// <summary>
/// Scores held-out documents with a language model, each on its own: the document is encoded, preceded by the
/// end-of-text token (what precedes every document in the packed training stream) and followed by it, and cut into
/// non-overlapping windows of the model's block size; every token after the first is predicted from those before it in
/// its window. Windows of all documents are batched (padded at the end, where causal attention cannot see the padding).
/// </summary>
public static class LanguageModelScoring
{
    /// <summary>Windows per forward pass. Defaults to 32.</summary>
    public const int DefaultBatchSize = 32;

    /// <exception cref="ArgumentException">No documents, or a document the tokenizer cannot encode (named by index).</exception>
    public static HeldOutScores Score(LanguageModelPackage package, IReadOnlyList<CorpusDocument> documents, int batchSize = DefaultBatchSize, ComputeDevice device = ComputeDevice.Cpu)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count == 0)
            throw new ArgumentException("There are no documents to score; pass a corpus (or split) that holds some.", nameof(documents));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var block = (int)package.Model.InputShape[0];
        var tokenizer = package.Tokenizer;
        // Every window: (document, inputs, targets), inputs and targets of equal length ≤ block.
        var windows = new List<(int Document, long[] Input, long[] Target)>();
        var tokens = new int[documents.Count];
        for (var d = 0; d < documents.Count; d++)
        {
            IReadOnlyList<int> ids;
            try
            {
                ids = tokenizer.Encode(documents[d].Text);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Document {d} ({documents[d].Source}) cannot be encoded by the model's tokenizer: {e.Message} Score text the tokenizer covers.", nameof(documents), e);
            }
            var sequence = new long[ids.Count + 2];
            sequence[0] = sequence[^1] = tokenizer.EndOfTextId;
            for (var i = 0; i < ids.Count; i++)
                sequence[i + 1] = ids[i];
            tokens[d] = sequence.Length - 1;
            for (var start = 0; start < sequence.Length - 1; start += block)
            {
                var length = Math.Min(block, sequence.Length - 1 - start);
                windows.Add((d, sequence[start..(start + length)], sequence[(start + 1)..(start + 1 + length)]));
            }
        }
        var sums = new double[documents.Count];
        var network = package.Model.Network;
        var torchDevice = TorchRuntime.Resolve(device);
        package.Model.To(device);
        network.eval();
        using (no_grad())
        {
            for (var first = 0; first < windows.Count; first += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = windows.GetRange(first, Math.Min(batchSize, windows.Count - first));
                var input = new long[batch.Count * block];   // (B, T), padded with token 0
                var target = new long[batch.Count * block];  // (B, T), padded with −100: ignored
                Array.Fill(target, -100L);
                for (var b = 0; b < batch.Count; b++)
                {
                    batch[b].Input.CopyTo(input, b * block);
                    batch[b].Target.CopyTo(target, b * block);
                }
                var x = tensor(input, [batch.Count, block], ScalarType.Int64).to(torchDevice);
                var y = tensor(target, [batch.Count, block], ScalarType.Int64).to(torchDevice);
                var logits = network.forward(x).to(ScalarType.Float32);                                   // (B, T, V)
                var losses = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), y.reshape(-1),
                    ignore_index: -100, reduction: nn.Reduction.None).reshape(batch.Count, block);   // (B, T), 0 where ignored
                var perWindow = losses.to(ScalarType.Float64).sum(1).cpu().data<double>().ToArray();      // (B)
                for (var b = 0; b < batch.Count; b++)
                    sums[batch[b].Document] += perWindow[b];
            }
        }
        return new HeldOutScores([.. documents.Select((document, d) => new DocumentScore(d, document.Source, tokens[d], sums[d]))]);
    }
}
