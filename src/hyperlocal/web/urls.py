from django.urls import path

from hyperlocal.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("home/", views.set_home, name="set_home"),
    path("home/join/", views.join, name="join"),
    path("verify/", views.verify, name="verify"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("products/", views.products, name="products"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("hubs/", views.hub_list, name="hubs"),
    path("hubs/<slug:slug>/", views.hub_detail, name="hub"),
]
