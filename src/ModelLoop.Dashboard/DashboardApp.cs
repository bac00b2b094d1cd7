using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelLoop.Dashboard.Serving;
using ModelLoop.Serving;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Dashboard;

/// <summary>
/// The web dashboard: Razor Pages under <c>/ui</c>. <c>modelloop serve</c> mounts it next to the API
/// (<see cref="AddDashboard"/> before the host is built, <see cref="MapDashboard"/> after <c>MapModelServing</c>);
/// <see cref="Build"/> serves it alone (<c>modelloop ui</c>), reading the stores without the API.
/// Razor Pages because they are the least code for what the pages need: layouts, forms whose antiforgery token the form
/// tag helper adds and every POST handler checks by default, and login required per folder by one convention.
/// </summary>
public static class DashboardApp
{
    /// <summary>Registers the pages, the login cookie, antiforgery and the serving-metrics sampler.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services, Action<DashboardOptions>? configure = null)
    {
        var options = services.AddOptions<DashboardOptions>();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddSingleton<DashboardStores>();
        services.TryAddSingleton<ServingSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<ServingSampler>());
        services.AddHttpClient();
        // Data Protection keys (they sign and encrypt the login and antiforgery cookies) persist in the home, so a
        // restart keeps sessions; they are stored unencrypted: protect the folder like the keys of the serving database.
        services.AddDataProtection().SetApplicationName("ModelLoop.Dashboard");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<DashboardOptions>>((keys, dashboard) =>
        {
            var folder = dashboard.Value.KeysFolder ?? Path.Combine(Storage.ModelLoopHome.Resolve(dashboard.Value.Home), "dashboard-keys");
            keys.XmlRepository = new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(new DirectoryInfo(folder), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "ModelLoop.Dashboard.Antiforgery";
            antiforgery.Cookie.Path = DashboardOptions.PathBase;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        });
        DashboardAuth.Add(services);
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Pages";
            // Every page lives under /ui, and needs a login except the login page itself.
            pages.Conventions.AddFolderRouteModelConvention("/", model =>
            {
                foreach (var selector in model.Selectors)
                    selector.AttributeRouteModel!.Template = AttributeRouteModel.CombineTemplates("ui", selector.AttributeRouteModel.Template);
            });
            pages.Conventions.AuthorizeFolder("/", DashboardAuth.UserPolicy);
            foreach (var folder in new[] { "/Runs", "/Studies", "/Monitoring", "/Serving" })
                pages.Conventions.AuthorizeFolder(folder, DashboardAuth.AdminPolicy);
            pages.Conventions.AllowAnonymousToPage("/Login");
        }).ConfigureApplicationPartManager(parts =>
        {
            // Discovered already when the host's entry assembly references this one; added only where it is not.
            var assembly = typeof(DashboardApp).Assembly;
            if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
                parts.ApplicationParts.Add(new CompiledRazorAssemblyPart(assembly));
        });
        return services;
    }

    /// <summary>Maps the pages, the files and the data endpoints under /ui.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        // The login cookie and the authorization policies run only for what needs them: paths under /ui and endpoints with
        // authorization metadata. The API authenticates by API key (ApiKeyMiddleware); running the cookie handler and the
        // authentication and authorization meters on every predict call cost the API measurable throughput (issue 16).
        // Requests that need neither jump from the first delegate past the two middlewares. Both stay on the app itself
        // (not in a UseWhen branch), so WebApplication sees them and does not add them again in front of every request.
        RequestDelegate? afterAuthorization = null;
        app.Use(next => context => UsesLogin(context) ? next(context) : afterAuthorization!(context));
        app.UseAuthentication();
        app.UseAuthorization();
        // Built before any request arrives: ApplicationBuilder composes the pipeline from its last component backwards.
        app.Use(next => afterAuthorization = next);
        app.MapRazorPages();
        DashboardEndpoints.Map(app.MapGroup(DashboardOptions.PathBase));
        return app;
    }

    // Under /ui (pages, their files and data), or an endpoint anywhere that carries authorization metadata — such an
    // endpoint must meet the authorization middleware (ASP.NET Core refuses to run it otherwise).
    private static bool UsesLogin(HttpContext context) =>
        context.Request.Path.StartsWithSegments(DashboardOptions.PathBase)
        || context.GetEndpoint()?.Metadata is { } metadata
            && (metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<IAuthorizationRequirementData>() is not null
                || metadata.GetMetadata<AuthorizationPolicy>() is not null);

    /// <summary>
    /// The dashboard alone (<c>modelloop ui</c>): reads the stores in <see cref="DashboardOptions.Home"/> and the serving
    /// database <paramref name="servingDatabase"/> (tenants, keys, usage) without serving the API; keys are read-only here.
    /// </summary>
    public static WebApplication Build(string[] args, DashboardOptions options, string servingDatabase)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddOptions<ServingOptions>().Configure(serving => serving.DatabasePath = servingDatabase);
        builder.Services.AddSingleton(_ => ServingSchema.Open(servingDatabase));
        builder.Services.AddSingleton<TenantStore>();
        builder.Services.AddSingleton(sp => new ModelLoop.Serving.Billing.BillingService(sp.GetRequiredService<Storage.SqliteDatabase>()));
        builder.Services.AddDashboard(dashboard =>
        {
            dashboard.Home = options.Home;
            dashboard.AdminKey = options.AdminKey;
            dashboard.ManagesKeys = false;
            dashboard.SessionLifetime = options.SessionLifetime;
            dashboard.KeysFolder = options.KeysFolder;
        });
        var app = builder.Build();
        app.UseStatusCodePages();
        app.UseRouting();
        app.MapGet("/", () => Results.Redirect(DashboardOptions.PathBase + "/"));
        app.MapDashboard();
        return app;
    }
}
