"""Signing up, in and out. Login and logout are Django's views with our templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

import hyperlocal.accounts.services as accounts
from hyperlocal.errors import DomainError
from hyperlocal.web.forms import SignupForm, add_domain_error


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot sign anyone out."""


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = accounts.signup(
                    username=data["username"],
                    password=data["password"],
                    email=data["email"],
                    display_name=data["display_name"],
                    preferred_language=data["preferred_language"],
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Set your home to see your neighbourhood."))
            response = redirect("web:home")
            _remember_language(response, data["preferred_language"])
            return response
    if form.errors:
        messages.error(request, _("Your account was not created: please check the form."))
    return render(request, "web/signup.html", {"form": form})


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
