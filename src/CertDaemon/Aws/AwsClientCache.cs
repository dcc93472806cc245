using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CertDaemon.Aws;

/// <summary>
/// The client store behind the AWS client factories: one client per key (a region, a role), built on first use,
/// the same instance ever after, all disposed with the cache.
/// </summary>
/// <remarks>
/// A client is built under a <see cref="Lazy{T}"/> so two racing first calls for one key build it once: each client
/// owns a handler chain and, for an assumed role, its own credential refresh.
/// </remarks>
// The annotation is what Lazy<T> asks of any T under trimming; the clients are built by the function, never by it.
internal sealed class AwsClientCache<TKey, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TClient>(
    Func<TKey, TClient> build) : IDisposable
    where TKey : notnull
    where TClient : IDisposable
{
    private readonly ConcurrentDictionary<TKey, Lazy<TClient>> _clients = new();

    /// <summary>The client for <paramref name="key"/>, built by the factory's function the first time.</summary>
    public TClient Get(TKey key) => _clients.GetOrAdd(key, k => new Lazy<TClient>(() => build(k))).Value;

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
    }
}
