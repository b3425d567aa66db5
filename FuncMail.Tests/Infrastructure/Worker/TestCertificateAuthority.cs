using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FuncMail.Tests.Infrastructure.Worker;

/// <summary>
/// A certificate authority that exists only for a test run. The worker process trusts it through <c>SSL_CERT_FILE</c>
/// (PEM; OpenSSL reads it instead of the system bundle), so the stubs can answer https://login.microsoftonline.com
/// and https://graph.microsoft.com with certificates the worker validates like any other: no validation switch is
/// turned off anywhere, in the app or in the test. ECDSA P-256 keys, because minting one costs microseconds.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Lazy<TestCertificateAuthority> Shared = new(() => new TestCertificateAuthority());
    private readonly ConcurrentDictionary<string, X509Certificate2> _leaves = new(StringComparer.OrdinalIgnoreCase);
    private readonly X509Certificate2 _root;
    private readonly string _folder;

    private TestCertificateAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=FuncMail test CA (never trusted outside a test run)", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        _root = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        _folder = Directory.CreateTempSubdirectory("funcmail-ca-").FullName;
        CertificateFile = Path.Combine(_folder, "ca.pem");
        File.WriteAllText(CertificateFile, _root.ExportCertificatePem());

        // An empty directory for SSL_CERT_DIR: the worker trusts this CA and nothing else.
        EmptyDirectory = Directory.CreateDirectory(Path.Combine(_folder, "no-other-roots")).FullName;
    }

    /// <summary>One CA for the whole test run.</summary>
    public static TestCertificateAuthority Instance => Shared.Value;

    /// <summary>The CA certificate as PEM, for the worker's <c>SSL_CERT_FILE</c>.</summary>
    public string CertificateFile { get; }

    public string EmptyDirectory { get; }

    /// <summary>
    /// A server certificate for one host name: SAN only, serverAuth EKU, no CRL or OCSP URLs (where revocation is
    /// checked, an unreachable URL would cost 30 s).
    /// </summary>
    public X509Certificate2 ServerCertificate(string hostName) => _leaves.GetOrAdd(hostName, name =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (System.Net.IPAddress.TryParse(name, out var address))
        {
            san.AddIpAddress(address);
        }
        else
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(_root, now.AddHours(-1), now.AddDays(2), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);

        // A round trip through PKCS#12 gives a key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    });

    /// <summary>Validates a server certificate against this CA alone, for the test's own https clients.</summary>
    public bool Validates(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        foreach (var leaf in _leaves.Values)
        {
            leaf.Dispose();
        }

        _root.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A worker may still hold the file open while it exits.
        }
    }
}
