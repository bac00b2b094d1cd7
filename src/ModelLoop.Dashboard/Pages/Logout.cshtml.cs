using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ModelLoop.Dashboard.Pages;

/// <summary>/ui/logout (POST, with the antiforgery token): ends the session.</summary>
public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/ui/");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(DashboardAuth.Scheme);
        return Redirect("/ui/login");
    }
}
