using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModelLoop.IO;

namespace ModelLoop.Language.Tokenization;

/// <summary>
/// GPT-2-style byte-level BPE: text → GPT-2 pre-tokens → UTF-8 bytes as printable characters → merges applied by
/// rank (lowest first) → ids. Every byte has a token, so any text encodes (no unknown token). Saved as GPT-2's
/// <c>vocab.json</c> (token → id) and <c>merges.txt</c> ("left right" per line, rank order), which
/// Microsoft.ML.Tokenizers (byte-level BpeTokenizer, CodeGenTokenizer) and Hugging Face read. Train one with <see cref="BpeTrainer"/>.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITextTokenizer
{
    /// <summary>The vocabulary file name inside a tokenizer folder.</summary>
    public const string VocabularyFile = "vocab.json";

    /// <summary>The merges file name inside a tokenizer folder.</summary>
    public const string MergesFile = "merges.txt";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<(string Left, string Right), int> _ranks;
    // Pre-tokens repeat a lot (words); caching their ids makes encoding a corpus mostly dictionary look-ups.
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    /// <summary>A tokenizer from a vocabulary (token → id, ids 0…n-1) and merges in rank order.</summary>
    /// <exception cref="FormatException">
    /// Ids not exactly 0…n-1, a byte without a single-character token, no <see cref="SpecialTokens.EndOfText"/>, or a
    /// merge whose parts or result are not in the vocabulary; the message names the entry.
    /// </exception>
    public ByteLevelBpeTokenizer(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(merges);
        _tokens = new string[vocabulary.Count];
        foreach (var (token, id) in vocabulary)
        {
            if (id < 0 || id >= _tokens.Length || _tokens[id] is not null)
                throw new FormatException($"The BPE vocabulary maps '{token}' to id {id}; expected each id 0…{_tokens.Length - 1} exactly once. Rebuild the vocabulary (e.g. with BpeTrainer).");
            _tokens[id] = token;
        }
        _ids = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        foreach (var b in ByteLevel.ByteToChar)
            if (!_ids.ContainsKey(b.ToString()))
                throw new FormatException($"The BPE vocabulary lacks the byte token '{b}' (U+{(int)b:X4}); a byte-level vocabulary must hold all 256 byte characters so any text encodes.");
        EndOfTextId = _ids.TryGetValue(SpecialTokens.EndOfText, out var end)
            ? end
            : throw new FormatException($"The BPE vocabulary lacks '{SpecialTokens.EndOfText}'; add it (BpeTrainer puts it last, as GPT-2 does).");
        _ranks = new Dictionary<(string, string), int>(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!_ids.ContainsKey(left) || !_ids.ContainsKey(right) || !_ids.ContainsKey(left + right))
                throw new FormatException($"Merge {rank + 1} ('{left} {right}') names a token missing from the vocabulary; every merge's parts and result must be tokens.");
            _ranks.TryAdd((left, right), rank);
        }
        Merges = merges.ToArray();
    }

    public int VocabularySize => _tokens.Length;

    public int EndOfTextId { get; }

    /// <summary>The merges in rank order (rank 0 applies first).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>The token string of an id, in byte-level characters (a space shows as 'Ġ').</summary>
    public string TokenOf(int id) => _tokens[CheckId(id)];

    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 1);
        var pieces = text.Split(SpecialTokens.EndOfText);
        for (var p = 0; p < pieces.Length; p++)
        {
            if (p > 0)
                ids.Add(EndOfTextId);
            foreach (var match in ByteLevel.PreTokenizer().EnumerateMatches(pieces[p]))
            {
                var word = ByteLevel.ToSymbols(pieces[p].AsSpan(match.Index, match.Length));
                ids.AddRange(_cache.GetOrAdd(word, EncodeWord));
            }
        }
        return ids;
    }

    public string Decode(IReadOnlyList<int> ids) => Encoding.UTF8.GetString(DecodeToBytes(ids)); // invalid sequences → U+FFFD

    /// <summary>The UTF-8 bytes of <paramref name="ids"/>; a token may end inside a multi-byte character, so streams join bytes before decoding.</summary>
    public byte[] DecodeToBytes(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>(ids.Count * 4);
        foreach (var id in ids)
        {
            if (CheckId(id) == EndOfTextId)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(SpecialTokens.EndOfText));
                continue;
            }
            foreach (var c in _tokens[id])
                bytes.Add((byte)ByteLevel.CharToByte[c]);
        }
        return [.. bytes];
    }

    /// <summary>Writes <c>vocab.json</c> and <c>merges.txt</c> into <paramref name="directory"/> (created if missing), each atomically.</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, VocabularyFile), stream => WriteVocabulary(stream, _tokens));
        var merges = new StringBuilder("#version: 0.2\n"); // the header line GPT-2's and Hugging Face's merges files start with
        foreach (var (left, right) in Merges)
            merges.Append(left).Append(' ').Append(right).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(directory, MergesFile), merges.ToString());
    }

    /// <summary>Reads a folder written by <see cref="Save"/> (or GPT-2's own vocab.json + merges.txt).</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="FormatException">A file is not in the GPT-2 layout; the message names the file and line.</exception>
    public static ByteLevelBpeTokenizer Load(string directory)
    {
        var vocabulary = ReadVocabulary(Path.Combine(directory, VocabularyFile));
        var mergesPath = Path.Combine(directory, MergesFile);
        if (!File.Exists(mergesPath))
            throw new FileNotFoundException($"'{mergesPath}' does not exist; a byte-level BPE tokenizer folder holds {VocabularyFile} and {MergesFile} (write one with `modelloop lm tokenizer train`).", mergesPath);
        return new ByteLevelBpeTokenizer(vocabulary, ParseMerges(File.ReadLines(mergesPath, Encoding.UTF8), mergesPath));
    }

    /// <summary>Reads the two files' contents (vocab.json, merges.txt), e.g. from a verified registry package; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="FormatException">A file is not in the GPT-2 layout; the message names it and the line.</exception>
    internal static ByteLevelBpeTokenizer FromFiles(string vocabularyJson, string merges, string source) =>
        new(ParseVocabulary(vocabularyJson, $"{VocabularyFile} of {source}"), ParseMerges(merges.Split('\n').Select(l => l.TrimEnd('\r')), $"{MergesFile} of {source}"));

    private static List<(string, string)> ParseMerges(IEnumerable<string> lines, string mergesPath)
    {
        var merges = new List<(string, string)>();
        var lineNumber = 0;
        foreach (var line in lines)
        {
            lineNumber++;
            if (line.StartsWith("#version", StringComparison.Ordinal) || line.Length == 0)
                continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new FormatException($"'{mergesPath}' line {lineNumber}: expected two tokens separated by one space ('Ġ t'); received '{line}'.");
            merges.Add((parts[0], parts[1]));
        }
        return merges;
    }

    /// <summary>Writes token → id in id order, unescaped where JSON allows, so the file reads like GPT-2's.</summary>
    internal static void WriteVocabulary(Stream stream, IReadOnlyList<string> tokens)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        for (var id = 0; id < tokens.Count; id++)
            writer.WriteNumber(tokens[id], id);
        writer.WriteEndObject();
    }

    internal static Dictionary<string, int> ReadVocabulary(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}' does not exist; a tokenizer folder holds {VocabularyFile} (token → id), written by `modelloop lm tokenizer train`.", path);
        return ParseVocabulary(File.ReadAllText(path, Encoding.UTF8), path);
    }

    internal static Dictionary<string, int> ParseVocabulary(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, int>>(json)
                ?? throw new FormatException($"'{path}' holds null; expected a JSON object of token → id.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"'{path}' is not a JSON object of token → id ({e.Message}). Expected GPT-2's vocab.json layout, e.g. {{\"!\": 0, \"\\\"\": 1}}.", e);
        }
    }

    /// <summary>GPT-2's merge loop on one word: repeatedly merge every occurrence of the lowest-ranked adjacent pair.</summary>
    private int[] EncodeWord(string word)
    {
        var symbols = new List<string>(word.Length);
        foreach (var c in word)
            symbols.Add(c.ToString());
        while (symbols.Count > 1)
        {
            var best = -1;
            (string, string) bestPair = default;
            for (var i = 0; i + 1 < symbols.Count; i++)
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && (best < 0 || rank < best))
                    (best, bestPair) = (rank, (symbols[i], symbols[i + 1]));
            if (best < 0)
                break;
            var merged = new List<string>(symbols.Count);
            for (var i = 0; i < symbols.Count; i++)
            {
                if (i + 1 < symbols.Count && symbols[i] == bestPair.Item1 && symbols[i + 1] == bestPair.Item2)
                {
                    merged.Add(bestPair.Item1 + bestPair.Item2);
                    i++;
                }
                else
                {
                    merged.Add(symbols[i]);
                }
            }
            symbols = merged;
        }
        return [.. symbols.Select(s => _ids[s])];
    }

    private int CheckId(int id) => id >= 0 && id < _tokens.Length
        ? id
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is outside this tokenizer's vocabulary [0, {_tokens.Length}). Decode ids produced by the same tokenizer.");
}
