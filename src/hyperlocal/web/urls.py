from django.urls import path

from hyperlocal.web import views
from hyperlocal.web.views import courier, planning, programme, wallet

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
    # resident: cart, checkout, orders
    path("cart/", views.cart, name="cart"),
    path("cart/line/", views.cart_line, name="cart_line"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/lines/<int:line_id>/answer/", views.answer_substitution, name="order_answer"),
    # hub operator: board, pick list, shipments
    path("ops/", views.ops_home, name="ops"),
    path("ops/hubs/<slug:slug>/", views.board, name="board"),
    path("ops/hubs/<slug:slug>/pick/", views.pick_list, name="pick_list"),
    path("ops/hubs/<slug:slug>/stock/", views.hub_stock, name="hub_stock"),
    path("ops/shipments/<int:pk>/", views.shipment_detail, name="shipment"),
    path("ops/shipments/<int:pk>/start/", views.shipment_start, name="shipment_start"),
    path("ops/shipments/<int:pk>/pack/", views.shipment_pack, name="shipment_pack"),
    path("ops/shipments/<int:pk>/move/", views.shipment_move, name="shipment_move"),
    path("ops/shipments/<int:pk>/lines/<int:line_id>/pick/", views.line_pick, name="line_pick"),
    # courier: shift, route, pick-up, delivery with proof
    path("courier/", courier.route, name="courier"),
    path("courier/clock/", courier.clock, name="courier_clock"),
    path("courier/shipments/<int:pk>/pick-up/", courier.pick_up, name="courier_pick_up"),
    path("courier/shipments/<int:pk>/deliver/", courier.deliver, name="courier_deliver"),
    path("courier/shipments/<int:pk>/fail/", courier.fail, name="courier_fail"),
    # merchant staff: stock per hub and inbound shipments
    path("merchant/stock/", views.merchant_stock, name="merchant_stock"),
    # local currency: the resident's vouchers, a merchant's voucher sales, the programme admin
    path("wallet/", wallet.wallet_home, name="wallet"),
    path("wallet/buy/", wallet.wallet_buy, name="wallet_buy"),
    path("wallet/<int:pk>/", wallet.wallet_statement, name="wallet_statement"),
    path("wallet/<int:pk>/refund/", wallet.wallet_refund, name="wallet_refund"),
    path("merchant/vouchers/", wallet.merchant_vouchers, name="merchant_vouchers"),
    path("programme/", programme.programme_home, name="programme"),
    path("programme/<slug:code>/rules/", programme.programme_rules, name="programme_rules"),
    path("programme/<slug:code>/grants/", programme.programme_grant, name="programme_grant"),
    path("programme/<slug:code>/settle/", programme.programme_settle, name="programme_settle"),
    # site planning: hub operators and platform admins
    path("planning/", planning.planning_home, name="planning"),
    path("planning/zone-rule/", planning.zone_rule, name="zone_rule"),
    path("planning/plans/<int:plan_id>/", planning.plan_detail, name="plan"),
    path("planning/plans/<int:plan_id>/plan.csv", planning.plan_csv, name="plan_csv"),
    path("planning/plans/<int:plan_id>/plan.geojson", planning.plan_geojson, name="plan_geojson"),
    path("planning/plans/<int:plan_id>/open/<int:space_id>/", planning.plan_open, name="plan_open"),
]
