using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Transformers;

/// <summary>
/// The keys and values a GPT has already computed, so generation feeds only new tokens: per layer one preallocated
/// (B, heads, capacity, headDim) tensor of keys and one of values, filled from slot 0 up to <see cref="Length"/>.
/// Preallocated (not grown per step) so a step copies only its own keys, never the whole history. Every row of the
/// batch shares the same length; rows with shorter prompts are left-padded (see <see cref="GptDecoder.Forward"/>).
/// Made by <see cref="GptDecoder.CreateCache"/>; dispose it to free its native memory.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    internal KeyValueCache(int layers, long batch, long heads, long capacity, long headDim, ScalarType dtype, Device device)
    {
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
    public void Reset() => Length = 0;

    /// <summary>
    /// Writes one layer's keys and values for the new tokens, <paramref name="keys"/> and <paramref name="values"/>
    /// (B, heads, T, headDim), at slots [Length, Length + T) and returns views of slots [0, Length + T).
    /// </summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var time = keys.shape[2];
        _keys[layer].narrow(2, Length, time).copy_(keys);
        _values[layer].narrow(2, Length, time).copy_(values);
        return (_keys[layer].narrow(2, 0, Length + time), _values[layer].narrow(2, 0, Length + time)); // (B, heads, Length + T, headDim)
    }

    /// <summary>Called once all layers have appended a forward's <paramref name="time"/> new positions.</summary>
    internal void Advance(long time) => Length += time;

    public void Dispose()
    {
        foreach (var tensor in _keys.Concat(_values))
            tensor.Dispose();
    }
}
