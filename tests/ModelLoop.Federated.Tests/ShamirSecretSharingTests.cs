using System.Security.Cryptography;
using ModelLoop.Federated.Secure;

namespace ModelLoop.Federated.Tests;

public sealed class ShamirSecretSharingTests
{
    [Fact]
    public void Any_threshold_shares_give_the_secret_back()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = ShamirSecretSharing.Split(secret, threshold: 3, count: 5);
        foreach (var pick in new[] { new[] { 0, 1, 2 }, new[] { 4, 2, 0 }, new[] { 1, 3, 4 }, new[] { 0, 1, 2, 3, 4 } })
            Assert.Equal(secret, ShamirSecretSharing.Combine(pick.Select(i => (i + 1, shares[i])).ToList(), 32));
    }

    [Fact]
    public void Fewer_than_threshold_shares_do_not_give_the_secret()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = ShamirSecretSharing.Split(secret, threshold: 3, count: 5);
        byte[]? combined = null;
        try
        {
            combined = ShamirSecretSharing.Combine([(1, shares[0]), (2, shares[1])], 32);
        }
        catch (CryptographicException)
        {
            // a degree-2 polynomial through two points lands on a random field element, usually wider than 32 bytes
        }
        Assert.NotEqual(secret, combined);
    }
}
