using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Transformers;

/// <summary>
/// The keys and values a GPT has already computed, so generation feeds only new tokens: per layer one preallocated
/// (B, heads, capacity, headDim) tensor of keys and one of values, filled from slot 0 up to <see cref="Length"/>.
/// Preallocated (not grown per step) so a step copies only its own keys, never the whole history. Every row of the
/// batch shares the same length; rows with shorter prompts are left-padded (see <see cref="GptDecoder.Forward"/>).
/// Made by <see cref="GptDecoder.CreateCache"/>; dispose it to free its native memory.
/// <para>
/// A cache made by <see cref="GptDecoder.CreateSlots"/> instead holds independent sequences, one per row ("slot"), each
/// with its own length (<see cref="RowLength"/>): continuous batching, where sequences join and leave a running batch
/// between steps. <see cref="GptDecoder.ForwardRows"/> feeds a contiguous range of rows, each continuing from its own
/// length, and <see cref="MoveRow"/> compacts the rows in use so a step's range stays contiguous.
/// </para>
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private readonly long[]? _rowLengths;       // slotted caches only: each row's filled slots
    private (int First, int Count)? _window;    // slotted caches: the rows the forward in progress addresses

    internal KeyValueCache(int layers, long batch, long heads, long capacity, long headDim, ScalarType dtype, Device device, bool slotted = false)
    {
        if (slotted)
            _rowLengths = new long[batch];
        Batch = batch;
        Capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (var i = 0; i < layers; i++)
        {
            // Outside any caller's dispose scope: the cache lives across the steps' scopes until disposed.
            _keys[i] = zeros([batch, heads, capacity, headDim], dtype, device).DetachFromDisposeScope();     // (B, heads, capacity, headDim)
            _values[i] = zeros([batch, heads, capacity, headDim], dtype, device).DetachFromDisposeScope();   // (B, heads, capacity, headDim)
        }
    }

    /// <summary>Rows (sequences) the cache holds.</summary>
    public long Batch { get; }

    /// <summary>The most positions (slots, padding included) the cache can hold.</summary>
    public long Capacity { get; }

    /// <summary>Slots filled so far: the next forward's new tokens go to slots [Length, Length + T).</summary>
    public long Length { get; private set; }

    /// <summary>Forgets every cached position (keeps the memory), so the cache can serve a new batch of the same size.</summary>
    public void Reset()
    {
        Length = 0;
        if (_rowLengths is not null)
            Array.Clear(_rowLengths);
    }

    /// <summary>Whether each row is an independent sequence with its own length (made by <see cref="GptDecoder.CreateSlots"/>).</summary>
    public bool IsSlotted => _rowLengths is not null;

    /// <summary>Slots filled in <paramref name="row"/> of a slotted cache.</summary>
    /// <exception cref="InvalidOperationException">The cache is not slotted.</exception>
    public long RowLength(int row) => Slotted()[row];

    /// <summary>Empties <paramref name="row"/> of a slotted cache (its memory is reused by the next sequence put there).</summary>
    public void ClearRow(int row) => Slotted()[row] = 0;

    /// <summary>
    /// Copies row <paramref name="from"/> of a slotted cache (its filled slots and length) into row <paramref name="to"/>
    /// and empties <paramref name="from"/>: a sequence that leaves is replaced by the last one, so the rows in use stay 0…n−1.
    /// </summary>
    public void MoveRow(int from, int to)
    {
        var lengths = Slotted();
        if (from == to)
            return;
        var length = lengths[from];
        if (length > 0)
        {
            using var scope = NewDisposeScope();
            foreach (var store in _keys.Concat(_values))
                store[to].narrow(1, 0, length).copy_(store[from].narrow(1, 0, length)); // (heads, length, headDim)
        }
        lengths[to] = length;
        lengths[from] = 0;
    }

    /// <summary>Slotted caches: the next forward addresses rows [first, first + count).</summary>
    internal void BeginRows(int first, int count) => _window = (first, count);

    /// <summary>Slotted caches: lengths of the rows the forward in progress addresses.</summary>
    internal long[] WindowLengths() => _window is { } w ? Slotted()[w.First..(w.First + w.Count)] : throw new InvalidOperationException("No row window is set; call BeginRows first.");

    private long[] Slotted() => _rowLengths ?? throw new InvalidOperationException("This cache holds one batch with a shared length; per-row lengths need a cache made by GptDecoder.CreateSlots.");

    /// <summary>
    /// Writes one layer's keys and values for the new tokens, <paramref name="keys"/> and <paramref name="values"/>
    /// (B, heads, T, headDim), at slots [Length, Length + T) and returns views of slots [0, Length + T).
    /// </summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var time = keys.shape[2];
        if (_window is { } window)
            return AppendRows(layer, keys, values, window.First, window.Count);
        _keys[layer].narrow(2, Length, time).copy_(keys);
        _values[layer].narrow(2, Length, time).copy_(values);
        return (_keys[layer].narrow(2, 0, Length + time), _values[layer].narrow(2, 0, Length + time)); // (B, heads, Length + T, headDim)
    }

    // Slotted: row r of the window writes its T new keys and values at its own slots [length_r, length_r + T); the views
    // returned cover [0, longest + T) of the window's rows, so rows shorter than the longest see stale slots the mask hides.
    private (Tensor Keys, Tensor Values) AppendRows(int layer, Tensor keys, Tensor values, int first, int count)
    {
        var time = keys.shape[2];
        var lengths = _rowLengths!;
        var longest = 0L;
        for (var r = 0; r < count; r++)
        {
            var at = lengths[first + r];
            _keys[layer][first + r].narrow(1, at, time).copy_(keys[r]);     // (heads, T, headDim)
            _values[layer][first + r].narrow(1, at, time).copy_(values[r]);
            longest = Math.Max(longest, at);
        }
        return (_keys[layer].narrow(0, first, count).narrow(2, 0, longest + time),   // (count, heads, longest + T, headDim)
                _values[layer].narrow(0, first, count).narrow(2, 0, longest + time));
    }

    /// <summary>Called once all layers have appended a forward's <paramref name="time"/> new positions.</summary>
    internal void Advance(long time)
    {
        if (_window is { } window)
        {
            for (var r = window.First; r < window.First + window.Count; r++)
                _rowLengths![r] += time;
            _window = null;
            return;
        }
        Length += time;
    }

    public void Dispose()
    {
        foreach (var tensor in _keys.Concat(_values))
            tensor.Dispose();
    }
}
