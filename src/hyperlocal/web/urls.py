from django.urls import path

from hyperlocal.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
]
