/* The workload tables (from SPECweb2005's published design and its harness
 * configuration) and the small functions that draw from them. */
#include "web/workload.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Static images: "name, size, probability the client has it cached". */
static const struct web_image bank_images[] = {
	{ "image1.gif", 806, 0.5 }, { "image2.gif", 246, 0.4 }, { "rectangle.gif", 43, 0.4 },
	{ "logo.gif", 1140, 0.5 }, { "fornewusers.gif", 36789, 0.33 }, { "continue.gif", 764, 0.33 },
	{ "secure.gif", 1522, 0.7 }, { "house.gif", 858, 0.6 }, { "mail.gif", 216, 0.3 },
	{ "help.gif", 205, 0.2 }, { "signoff.gif", 316, 0.1 }, { "tab.gif", 52, 0 },
	{ "account.gif", 1285, 0 }, { "billpay.gif", 694, 0.1 }, { "transfer.gif", 676, 0.5 },
	{ "customerservice.gif", 778, 0.1 }, { "account1.gif", 488, 0.3 },
	{ "downloadbutton.gif", 764, 0 }, { "viewback.gif", 731, 0 }, { "returnlost.gif", 1059, 0 },
	{ "payees.gif", 224, 0 }, { "ebills.gif", 208, 0.2 }, { "eimage.gif", 952, 0 },
	{ "addbill.gif", 646, 0 }, { "quickpay.gif", 353, 0 }, { "displaypayment.gif", 915, 0 },
	{ "payment.gif", 234, 0 }, { "changenickname.gif", 1043, 0 },
	{ "notchangenickname.gif", 1178, 0 }, { "ordercheckcopy.gif", 1024, 0 },
	{ "dontorderchkcopy.gif", 1170, 0 }, { "sort.gif", 102, 0.5 },
	{ "billpayopen.gif", 603, 0.1 }, { "addnewpayee.gif", 943, 0 }, { "check_01.jpg", 11838, 0 },
	{ "check_02.jpg", 6481, 0 }, { "check_03.jpg", 12836, 0 }, { "check_04.jpg", 10868, 0 },
	{ "check_05.jpg", 11405, 0 }, { "check_06.jpg", 5792, 0 }, { "check_07.jpg", 10905, 0 },
	{ "check_08.jpg", 5458, 0 }, { "check_09.jpg", 11731, 0 }, { "check_10.jpg", 10757, 0 },
};
static const struct web_image ecom_images[] = {
	{ "homepage1.gif", 43, 0.3 }, { "homepage2.gif", 48, 0.3 }, { "homepage3.gif", 54, 0.3 },
	{ "homepage4.gif", 78, 0.3 }, { "homepage5.gif", 82, 0.2 }, { "homepage6.gif", 147, 0.3 },
	{ "homepage7.gif", 166, 0.3 }, { "homepage8.gif", 167, 0.3 }, { "homepage9.gif", 173, 0.3 },
	{ "homepage10.gif", 187, 0.3 }, { "homepage11.gif", 592, 0.3 },
	{ "homepage12.gif", 616, 0.3 }, { "homepage13.gif", 738, 0.3 },
	{ "homepage14.gif", 1022, 0.3 }, { "homepage15.gif", 1186, 0.3 },
	{ "homepage16.gif", 1259, 0.3 }, { "homepage17.gif", 1360, 0.3 },
	{ "homepage18.gif", 1550, 0.3 }, { "homepage19.gif", 1593, 0.3 },
	{ "homepage20.gif", 1761, 0.3 }, { "homepage21.gif", 1809, 0.3 },
	{ "homepage22.gif", 18346, 0.2 }, { "homepage23.gif", 19207, 0.2 },
	{ "homepage24.gif", 21838, 0.2 }, { "homepage25.gif", 22612, 0.2 },
	{ "browse1.gif", 443, 0.3 }, { "browse2.gif", 59, 0.3 }, { "browse3.gif", 62, 0.3 },
	{ "browse4.gif", 63, 0.3 }, { "browse5.gif", 71, 0.3 }, { "browse6.gif", 132, 0.3 },
	{ "browse7.gif", 175, 0.3 }, { "browse8.gif", 224, 0.3 }, { "browse9.gif", 243, 0.3 },
	{ "browse10.gif", 523, 0.3 }, { "browse11.gif", 917, 0.3 }, { "browse12.gif", 1167, 0.3 },
	{ "browse13.gif", 1347, 0.3 }, { "browse14.gif", 1402, 0.3 }, { "browse15.gif", 1480, 0.3 },
	{ "browse16.gif", 1504, 0.3 }, { "browse17.gif", 1621, 0.3 }, { "browse18.gif", 1738, 0.3 },
	{ "browse19.gif", 2208, 0.2 }, { "browse20.gif", 11918, 0.2 }, { "browse21.gif", 11972, 0.2 },
	{ "browse22.gif", 14408, 0.2 }, { "browse23.gif", 14525, 0.2 },
	{ "browse24.gif", 14748, 0.2 }, { "browse25.gif", 15750, 0.2 },
	{ "browse_productline1.gif", 49, 0.3 }, { "browse_productline2.gif", 72, 0.3 },
	{ "browse_productline3.gif", 185, 0.3 }, { "browse_productline4.gif", 1423, 0.3 },
	{ "browse_productline5.gif", 2176, 0.3 }, { "browse_productline6.gif", 3140, 0.1 },
	{ "browse_productline7.gif", 6828, 0.1 }, { "browse_productline8.gif", 8210, 0.1 },
	{ "browse_productline9.gif", 9461, 0.1 }, { "browse_productline10.gif", 10633, 0.1 },
	{ "browse_productline11.gif", 10774, 0.1 }, { "browse_productline12.gif", 11044, 0.1 },
	{ "productdetail1.gif", 43, 0.3 }, { "productdetail2.gif", 58, 0.3 },
	{ "productdetail3.gif", 71, 0.3 }, { "productdetail4.gif", 49, 0.3 },
	{ "productdetail5.gif", 121, 0.3 }, { "productdetail6.gif", 132, 0.3 },
	{ "productdetail7.gif", 187, 0.3 }, { "productdetail8.gif", 187, 0.3 },
	{ "productdetail9.gif", 2154, 0.1 }, { "productdetail10.gif", 3521, 0.1 },
	{ "customize1.gif", 43, 0.3 }, { "customize2.gif", 43, 0.3 }, { "customize3.gif", 49, 0.3 },
	{ "customize4.gif", 95, 0.3 }, { "customize5.gif", 114, 0.3 }, { "customize6.gif", 370, 0.3 },
	{ "customize7.gif", 1373, 0.1 }, { "customize8.gif", 1936, 0.1 },
	{ "customize9.gif", 1994, 0.1 }, { "cart1.gif", 43, 0 }, { "cart2.gif", 43, 0 },
	{ "cart3.gif", 43, 0 }, { "cart4.gif", 44, 0 }, { "cart5.gif", 44, 0 },
	{ "cart6.gif", 48, 0 }, { "cart7.gif", 50, 0 }, { "cart8.gif", 57, 0 },
	{ "cart9.gif", 61, 0 }, { "cart10.gif", 65, 0 }, { "cart11.gif", 82, 0 },
	{ "cart12.gif", 83, 0 }, { "cart13.gif", 91, 0 }, { "cart14.gif", 97, 0 },
	{ "cart15.gif", 98, 0 }, { "cart16.gif", 130, 0 }, { "cart17.gif", 136, 0 },
	{ "cart18.gif", 223, 0 }, { "cart19.gif", 243, 0 }, { "cart20.gif", 251, 0 },
	{ "cart21.gif", 274, 0 }, { "cart22.gif", 278, 0 }, { "cart23.gif", 280, 0 },
	{ "cart24.gif", 283, 0 }, { "cart25.gif", 319, 0 }, { "cart26.gif", 329, 0 },
	{ "cart27.gif", 362, 0 }, { "cart28.gif", 363, 0 }, { "cart29.gif", 385, 0 },
	{ "cart30.gif", 523, 0 }, { "cart31.gif", 621, 0 }, { "cart32.gif", 1848, 0 },
	{ "cart33.gif", 1980, 0 }, { "cart34.gif", 7894, 0 }, { "cart35.gif", 8240, 0 },
	{ "cart36.gif", 8255, 0 }, { "cart37.gif", 8484, 0 }, { "cart38.gif", 8886, 0 },
	{ "cart39.gif", 8914, 0 }, { "cart40.gif", 43, 0 }, { "checkout1.gif", 43, 0 },
	{ "checkout2.gif", 43, 0 }, { "checkout3.gif", 43, 0 }, { "checkout4.gif", 44, 0 },
	{ "checkout5.gif", 48, 0 }, { "checkout6.gif", 59, 0 }, { "checkout7.gif", 59, 0 },
	{ "checkout8.gif", 59, 0 }, { "checkout9.gif", 60, 0 }, { "checkout10.gif", 65, 0 },
	{ "checkout11.gif", 82, 0 }, { "checkout12.gif", 83, 0 }, { "checkout13.gif", 97, 0 },
	{ "checkout14.gif", 102, 0 }, { "checkout15.gif", 136, 0 }, { "checkout16.gif", 217, 0 },
	{ "checkout17.gif", 356, 0 }, { "checkout18.gif", 385, 0 }, { "checkout19.gif", 523, 0 },
	{ "checkout20.gif", 1648, 0 }, { "checkout21.gif", 1913, 0 }, { "shipping1.gif", 61, 0 },
	{ "shipping2.gif", 378, 0 }, { "shipping3.gif", 515, 0 }, { "shipping4.gif", 518, 0 },
	{ "shipping5.gif", 922, 0 }, { "billing1.gif", 50, 0 }, { "billing2.gif", 159, 0 },
	{ "billing3.gif", 519, 0 }, { "billing4.gif", 897, 0 }, { "billing5.gif", 1069, 0 },
	{ "search1.gif", 43, 0.3 }, { "search2.gif", 67, 0.3 }, { "search3.gif", 185, 0.3 },
	{ "search4.gif", 205, 0.3 }, { "search5.gif", 370, 0.3 }, { "search6.gif", 523, 0.3 },
	{ "search7.gif", 1731, 0.3 }, { "confirm1.gif", 43, 0 }, { "confirm2.gif", 44, 0 },
	{ "confirm3.gif", 80, 0 }, { "confirm4.gif", 92, 0 }, { "confirm5.gif", 97, 0 },
	{ "confirm6.gif", 98, 0 }, { "confirm7.gif", 130, 0 }, { "confirm8.gif", 135, 0 },
	{ "confirm9.gif", 135, 0 }, { "confirm10.gif", 135, 0 }, { "confirm11.gif", 223, 0 },
	{ "confirm12.gif", 586, 0 }, { "confirm13.gif", 1120, 0 },
};
static const struct web_image supp_images[] = {
	{ "aaa.gif", 30, 0.66 }, { "ccc.gif", 30, 0.66 }, { "___.gif", 810, 0.66 },
	{ "bar.gif", 60, 0.8 }, { "blue_arrow_right.gif", 50, 0.66 },
	{ "blue_arrow_top.gif", 50, 0.8 }, { "content_action.gif", 270, 0.75 },
	{ "content_arrow.gif", 130, 0.8 }, { "email.gif", 110, 0.66 }, { "flattab_nl.gif", 80, 0.66 },
	{ "flattab_nr.gif", 90, 0.66 }, { "flattab_sl.gif", 90, 0.66 },
	{ "flattab_sr.gif", 90, 0.66 }, { "global.gif", 4180, 0.8 }, { "help.gif", 700, 0.66 },
	{ "H_D.gif", 1830, 0.66 }, { "masthead_transparent.gif", 1510, 0.8 },
	{ "masthead_global.gif", 110, 0.66 }, { "masthead_local_sep.gif", 70, 0.66 },
	{ "masthead_subnavsep.gif", 60, 0.66 }, { "nav_q.gif", 250, 0.66 },
	{ "print.gif", 360, 0.66 }, { "spacer.gif", 40, 0.8 },
	{ "template_javascripts.gif", 5670, 0.8 }, { "us.gif", 80, 0.66 }, { "note.gif", 980, 0.5 },
	{ "h_product_selection.gif", 1920, 0.0 }, { "button-1.gif", 240, 0.0 },
	{ "button-2.gif", 260, 0.0 }, { "button-3.gif", 260, 0.0 },
	{ "H_Service_Tag_Unkown.gif", 2170, 0.0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define FILES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define NOFILES NULL, 0
#define PARAMS(a) a, N(a)
#define NOPARAMS NULL, 0
#define ROW(...) { (const struct web_transition[]){ __VA_ARGS__ }, \
	sizeof((const struct web_transition[]){ __VA_ARGS__ }) / sizeof(struct web_transition) }

/* ---- parameter vocabularies ---- */

static const char *const payee_types[] = { "Electric", "Mortgage", "CreditCard", "Oil", "Cable",
	"Insurance", "Telephone", "Wireless", "Auto", "IRS", NULL };
static const char *const streets[] = { "Aspen_Rd", "Birch_Ln", "CloudTree_Ave", "Dogwood_Dr",
	"Elm_St", "Heath_Way", "Linden_Blvd", "Magnolia_Ave", "Olive_Circle", "Palm_Way", NULL };
static const char *const cities[] = { "Northford", "Easton", "Sudbury", "Westville", "Middletown",
	"Portmouth", "Bridgewater", "Littleton", "Wayland", "Upton", NULL };
static const char *const side_front[] = { "front", NULL };
static const char *const side_back[] = { "back", NULL };
static const char *const regions[] = { "CAD", "EUR", "JPY", "AUD", "MXN", "ARS", "BMD", "BOB",
	"CLP", "EGP", "HKD", "INR", "JMD", "NOK", "RUR", "SSL", "THB", "VEB", "YUM", "USD", NULL };
static const char *const segments[] = { "all", "products", "services", "techsupport",
	"accessories", NULL };
static const char *const keywords[] = { "Monitors", "DVDs", "Networks", "Softwares", "Cameras",
	"Cartridges", "Programs", "Disks", "Projectors", "Accessories", "Processors", "PDAs",
	"LCD-TVs", "Boxes", "Laptops", NULL };
static const char *const customers[] = { "home", "smb", "mlb", "govt", NULL };
static const char *const ship_methods[] = { "Next_Day", "Two_Day", "Five_Day", NULL };
static const char *const cards[] = { "Visa", "Mastercard", "Amex", NULL };

#define P_USER { "userid", WEB_P_USER, 0, 0, NULL }
#define P_INT(n, a, b) { n, WEB_P_INT, a, b, NULL }
#define P_WORD(n, w) { n, WEB_P_WORD, 0, 0, w }
#define P_MONEY(n, a, b) { n, WEB_P_MONEY, a, b, NULL }

/* ---- Banking: all pages over TLS ---- */

static const struct web_param bp_user[] = { P_USER };
static const struct web_param bp_login[] = { P_USER, P_INT("password", 0, 99999999) };
static const struct web_param bp_check_detail[] = { P_USER, P_INT("check_no", 0, WEB_CHECKS_PER_USER - 1) };
static const struct web_param bp_payee[] = { P_USER, P_WORD("payee_type", payee_types),
	P_WORD("street", streets), P_WORD("city", cities), P_INT("zip", 10000, 99999) };
static const struct web_param bp_quick_pay[] = { P_USER, P_INT("payee", 0, 9),
	P_MONEY("amount", 1, 2000), P_INT("day", 1, 28) };
static const struct web_param bp_status[] = { P_USER, P_INT("start", 1, 12), P_INT("end", 1, 12) };
static const struct web_param bp_profile[] = { P_USER, P_WORD("street", streets),
	P_WORD("city", cities), P_INT("zip", 10000, 99999) };
static const struct web_param bp_chk_order[] = { P_USER, P_INT("boxes", 1, 4), P_INT("design", 0, 9) };
static const struct web_param bp_xfer[] = { P_USER, P_INT("from", 0, 2), P_INT("to", 0, 2),
	P_MONEY("amount", 1, 5000) };
static const struct web_param bp_check_front[] = { P_USER,
	P_INT("check_no", 0, WEB_CHECKS_PER_USER - 1), P_WORD("side", side_front) };
static const struct web_param bp_check_back[] = { P_USER,
	P_INT("check_no", 0, WEB_CHECKS_PER_USER - 1), P_WORD("side", side_back) };

#define BPAGE(nm, title, post, files, params, pad, pct) \
	{ #nm, "/bank/" #nm, "SPECweb2005: " title, true, post, false, files, params, pad, pct }

static const struct web_page bank_pages[] = {
	BPAGE(login, "Welcome", true, FILES(5, 1, 2, 3, 4, 6, 7, 8), PARAMS(bp_login), 4000, 21.5280),
	BPAGE(account_summary, "Account Summary", false,
	      FILES(1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), PARAMS(bp_user), 17000, 15.1146),
	BPAGE(check_detail_html, "Check Detail Output", false,
	      FILES(1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 32),
	      PARAMS(bp_check_detail), 11000, 8.4470),
	BPAGE(bill_pay, "Bill Pay", false, FILES(1, 2, 3, 4, 7, 8, 9, 15, 17, 21, 22, 27, 28, 33),
	      PARAMS(bp_user), 15000, 13.8908),
	BPAGE(add_payee, "Add Payee", false, FILES(1, 2, 3, 4, 7, 8, 9, 14, 15, 17, 21, 22, 27),
	      PARAMS(bp_user), 18000, 1.1163),
	BPAGE(payee_info, "Post Payee", true,
	      FILES(1, 2, 3, 4, 7, 8, 9, 14, 15, 17, 21, 22, 23, 27, 34), PARAMS(bp_payee), 34000, 0.8043),
	BPAGE(quick_pay, "Quick Pay Result", true,
	      FILES(1, 2, 3, 4, 7, 8, 9, 14, 15, 17, 21, 22, 24, 25, 26, 27, 33), PARAMS(bp_quick_pay),
	      22000, 6.6746),
	BPAGE(billpay_status, "Bill Pay Status", false,
	      FILES(1, 2, 4, 7, 8, 9, 11, 15, 17, 21, 22, 26, 33), PARAMS(bp_status), 24000, 2.2281),
	BPAGE(chg_profile, "Profile", false, FILES(1, 2, 3, 4, 7, 8, 9, 10, 14, 15, 16, 17, 28, 29),
	      PARAMS(bp_user), 32000, 1.2165),
	BPAGE(post_profile, "Profile Changed", true, FILES(1, 2, 3, 4, 7, 8, 9, 10, 14, 15, 16, 17),
	      PARAMS(bp_profile), 29000, 0.8761),
	BPAGE(req_checks, "Order Checks", false,
	      FILES(1, 2, 3, 4, 7, 8, 9, 10, 14, 15, 16, 17, 30, 31, 35, 36, 37, 38, 39),
	      PARAMS(bp_user), 21000, 1.2155),
	BPAGE(post_chk_order, "Place Check Order Result", true,
	      FILES(1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17), PARAMS(bp_chk_order), 25000, 0.8784),
	BPAGE(req_xfer_form, "Transfer Money", false, FILES(1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17),
	      PARAMS(bp_user), 13000, 1.7146),
	BPAGE(post_fund_xfer, "Transfer Result", true, FILES(1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17),
	      PARAMS(bp_xfer), 16000, 1.2415),
	BPAGE(logout, "Logout", false, FILES(5, 1, 2, 3, 4, 6, 7, 8), PARAMS(bp_user), 46000, 6.1597),
	/* the design's 16.8940 % is the check_image command, split over its two states */
	{ "check_image_front", "/bank/check_image", "SPECweb2005: Check Image", true, false, false,
	  NOFILES, PARAMS(bp_check_front), 0, 8.4470 },
	{ "check_image_back", "/bank/check_image", "SPECweb2005: Check Image", true, false, false,
	  NOFILES, PARAMS(bp_check_back), 0, 8.4470 },
};

/* Transition probabilities as published; the remainder of each row (session
 * time-out) goes to WEB_END. Logout ends the session. */
static const struct web_row bank_rows[] = {
	ROW({ 1, .32 }, { 3, .32 }, { 12, .08 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 2, .56 }, { 10, .08 }, { 8, .08 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 15, 1 }),
	ROW({ 4, .08 }, { 6, .48 }, { 7, .16 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 5, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 3, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 3, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 3, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 9, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 1, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 11, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 1, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 13, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ 1, .72 }, { 14, .08 }, { WEB_END, .20 }),
	ROW({ WEB_END, 1 }),
	ROW({ 16, 1 }),
	ROW({ 1, .72 }, { 14, .08 }, { WEB_END, .20 }),
};

/* ---- Ecommerce: TLS from login on (checkout) ---- */

static const struct web_param ep_search[] = { P_WORD("seg", segments), P_WORD("kw", keywords) };
static const struct web_param ep_browse[] = { P_WORD("s", customers), P_WORD("region", regions) };
static const struct web_param ep_line[] = { P_WORD("s", customers), P_INT("line", 0, 19) };
static const struct web_param ep_item[] = { P_INT("item", 0, 9999) };
static const struct web_param ep_custom[] = { P_INT("item", 0, 9999), P_INT("opt", 0, 9) };
static const struct web_param ep_cart[] = { P_INT("item", 0, 9999), P_INT("qty", 1, 10) };
static const struct web_param ep_login[] = { P_USER, P_INT("password", 0, 99999999) };
static const struct web_param ep_ship[] = { P_USER, P_WORD("method", ship_methods),
	P_WORD("street", streets), P_WORD("city", cities), P_INT("zip", 10000, 99999) };
static const struct web_param ep_bill[] = { P_USER, P_WORD("card", cards), P_INT("exp", 1, 12) };
static const struct web_param ep_user[] = { P_USER };

#define EPAGE(nm, title, tls, post, files, params, pad, pct) \
	{ #nm, "/ecommerce/" #nm, "SPECweb2005: eCommerce - " title, tls, post, false, files, params, \
	  pad, pct }

static const struct web_page ecom_pages[] = {
	EPAGE(index, "Home Page", false, false, FILES(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	      15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25), NOPARAMS, 54000, 13.0834),
	EPAGE(search, "Search Results", false, false, FILES(153, 154, 155, 156, 157, 158, 159),
	      PARAMS(ep_search), 167000, 6.5461),
	EPAGE(browse, "Browse Page", false, false, FILES(26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
	      37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50), PARAMS(ep_browse), 68000, 11.7532),
	EPAGE(browse_productline, "Browse Product Line", false, false,
	      FILES(51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62), PARAMS(ep_line), 108000, 10.0270),
	EPAGE(productdetail, "Product Details", false, false,
	      FILES(63, 64, 65, 66, 67, 68, 69, 70, 71, 72), PARAMS(ep_item), 22000, 8.0178),
	EPAGE(customize1, "Customize Product", false, false, FILES(73, 74, 75, 76, 77, 78, 79, 80, 81),
	      PARAMS(ep_custom), 154000, 16.9320),
	EPAGE(customize2, "Customize Product", false, false, FILES(73, 74, 75, 76, 77, 78, 79, 80, 81),
	      PARAMS(ep_custom), 154000, 8.9483),
	EPAGE(customize3, "Customize Product", false, false, FILES(73, 74, 75, 76, 77, 78, 79, 80, 81),
	      PARAMS(ep_custom), 154000, 6.1558),
	EPAGE(cart, "Your Cart", false, false, FILES(82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93,
	      94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112,
	      113, 114, 115, 116, 117, 118, 119, 120, 121), PARAMS(ep_cart), 112000, 5.2968),
	EPAGE(login, "Login Page", true, true, FILES(122, 123, 124, 125, 126, 127, 128, 129, 130, 131,
	      132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142), PARAMS(ep_login), 45000, 3.7778),
	EPAGE(shipping, "Shipping Details", true, true, FILES(143, 144, 145, 146, 147),
	      PARAMS(ep_ship), 17000, 3.5525),
	EPAGE(billing, "Billing Details", true, true, FILES(148, 149, 150, 151, 152), PARAMS(ep_bill),
	      33000, 3.3743),
	EPAGE(confirm, "Ecommerce Confirm", true, false, FILES(160, 161, 162, 163, 164, 165, 166, 167,
	      168, 169, 170, 171, 172), PARAMS(ep_user), 23000, 2.5350),
};

/* State 13 of the design (exit) is WEB_END. */
static const struct web_row ecom_rows[] = {
	ROW({ 0, .2 }, { 1, .15 }, { 2, .6 }, { WEB_END, .05 }),
	ROW({ 0, .05 }, { 1, .7 }, { 2, .2 }, { WEB_END, .05 }),
	ROW({ 0, .1 }, { 2, .1 }, { 3, .75 }, { WEB_END, .05 }),
	ROW({ 0, .05 }, { 2, .1 }, { 4, .8 }, { WEB_END, .05 }),
	ROW({ 0, .05 }, { 2, .05 }, { 3, .15 }, { 5, .7 }, { WEB_END, .05 }),
	ROW({ 5, .45 }, { 6, .5 }, { WEB_END, .05 }),
	ROW({ 5, .1 }, { 6, .3 }, { 7, .55 }, { WEB_END, .05 }),
	ROW({ 6, .1 }, { 7, .2 }, { 8, .65 }, { WEB_END, .05 }),
	ROW({ 8, .25 }, { 9, .7 }, { WEB_END, .05 }),
	ROW({ 9, .5 }, { 10, .45 }, { WEB_END, .05 }),
	ROW({ 11, .95 }, { WEB_END, .05 }),
	ROW({ 12, .95 }, { WEB_END, .05 }),
	ROW({ 12, .75 }, { WEB_END, .25 }),
};

/* ---- Support: no TLS, large downloads ---- */

static const struct web_param sp_search[] = { P_WORD("q", keywords) };
static const struct web_param sp_catalog[] = { P_INT("category", 0, 19) };
static const struct web_param sp_product[] = { P_INT("product", 0, 9999) };
static const struct web_param sp_filecat[] = { P_INT("product", 0, 9999), P_INT("os", 0, 9),
	P_INT("lang", 0, 29) };
static const struct web_param sp_file[] = { P_INT("product", 0, 9999), P_INT("file", 0, 19) };

#define SPAGE(nm, title, files, params, pad, pct) \
	{ #nm, "/support/" #nm, "SPECweb2005: Support " title, false, false, false, files, params, \
	  pad, pct }
#define SUPP_ALL FILES(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, \
		       22, 23, 24, 25)

static const struct web_page supp_pages[] = {
	SPAGE(home, "Home", FILES(4, 6, 7, 8, 14, 17, 23, 24, 26, 27), NOPARAMS, 51700, 8.1072),
	SPAGE(search, "Search Results", FILES(4, 6, 8, 14, 17, 23, 24, 26, 31), PARAMS(sp_search),
	      18000, 12.6125),
	SPAGE(catalog, "Category", FILES(4, 6, 7, 8, 14, 17, 23, 24), PARAMS(sp_catalog), 27500,
	      11.7088),
	SPAGE(product, "Product", FILES(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
	      19, 20, 21, 22, 23, 24, 25, 28, 29, 30), PARAMS(sp_product), 52700, 24.7746),
	SPAGE(fileCatalog, "File Catalog", SUPP_ALL, PARAMS(sp_filecat), 94500, 22.5237),
	SPAGE(file, "File", SUPP_ALL, PARAMS(sp_file), 113300, 13.5135),
	{ "download", "/support/downloads/", "", false, false, true, NOFILES, NOPARAMS, 0, 6.7597 },
};

/* State 7 of the design (exit) is WEB_END. */
static const struct web_row supp_rows[] = {
	ROW({ 1, .25 }, { 2, .75 }),
	ROW({ 3, .5 }, { 1, .5 }),
	ROW({ 3, .75 }, { 1, .25 }),
	ROW({ 4, .8 }, { 2, .2 }),
	ROW({ 5, .6 }, { 3, .4 }),
	ROW({ 6, .5 }, { 4, .2 }, { 3, .05 }, { 2, .05 }, { 1, .1 }, { 0, .1 }),
	ROW({ WEB_END, 1 }),
};

/* Support download classes: class share, in-class file shares, sizes as
 * first size + k * step (the published CLASS_i_FILE_SIZE pairs). */
static const struct web_dl_class dl_classes[WEB_DL_CLASSES] = {
	{ .1366, 5, (const double[]){ .273, .091, .165, .186, .285 }, 104858, 104858 },
	{ .1261, 3, (const double[]){ .579, .178, .243 }, 629146, 125829 },
	{ .2840, 4, (const double[]){ .275, .170, .170, .385 }, 1048576, 492831 },
	{ .2232, 2, (const double[]){ .667, .333 }, 4194304, 1352663 },
	{ .1250, 1, (const double[]){ 1 }, 9992929, 0 },
	{ .1051, 1, (const double[]){ 1 }, 37748736, 0 },
};

static const struct web_workload workloads[WEB_NWORKLOADS] = {
	[WEB_BANKING] = {
		.id = WEB_BANKING, .name = "banking", .besim_id = 1, .image_dir = "bank/images",
		.images = bank_images, .nimages = N(bank_images),
		.pages = bank_pages, .npages = N(bank_pages), .rows = bank_rows, .first_page = 0,
		.think_mean_ms = 10000, .think_max_ms = 150000, .think_req_pct = 61.58,
		.time_good_ms = 2000, .time_tolerable_ms = 4000, .good_pct = 95, .tol_pct = 99,
		.min_requests = 100, .user_ids_per_session = 50,
	},
	[WEB_ECOMMERCE] = {
		.id = WEB_ECOMMERCE, .name = "ecommerce", .besim_id = 2, .image_dir = "ecommerce/images",
		.images = ecom_images, .nimages = N(ecom_images),
		.pages = ecom_pages, .npages = N(ecom_pages), .rows = ecom_rows, .first_page = 0,
		.think_mean_ms = 10000, .think_max_ms = 150000, .think_req_pct = 91.94,
		.time_good_ms = 3000, .time_tolerable_ms = 5000, .good_pct = 95, .tol_pct = 99,
		.min_requests = 100, .user_ids_per_session = 10,
	},
	[WEB_SUPPORT] = {
		.id = WEB_SUPPORT, .name = "support", .besim_id = 3, .image_dir = "support/images",
		.images = supp_images, .nimages = N(supp_images),
		.pages = supp_pages, .npages = N(supp_pages), .rows = supp_rows, .first_page = 0,
		.think_mean_ms = 5000, .think_max_ms = 75000, .think_req_pct = 92.08,
		.time_good_ms = 3000, .time_tolerable_ms = 5000, .good_pct = 95, .tol_pct = 99,
		.min_requests = 100, .byte_rate_good = 99000, .byte_rate_tolerable = 95000,
		.user_ids_per_session = 1, .zipf_alpha = 1.2,
	},
};

const struct web_workload *web_workload(enum web_wl_id id)
{
	return (unsigned)id < WEB_NWORKLOADS ? &workloads[id] : NULL;
}

const struct web_workload *web_workload_by_name(const char *name)
{
	for (int k = 0; k < WEB_NWORKLOADS; k++)
		if (!strcmp(workloads[k].name, name))
			return &workloads[k];
	return NULL;
}

unsigned web_workload_mask(const char *sel)
{
	const struct web_workload *wl;

	if (!strcmp(sel, "all"))
		return (1u << WEB_NWORKLOADS) - 1;
	wl = web_workload_by_name(sel);
	return wl ? 1u << wl->id : 0;
}

int web_workload_opt(const char *sel, void *dst, struct err *e)
{
	unsigned m = web_workload_mask(sel);

	if (!m)
		return err_set(e, -EINVAL, "'%s': unknown workload", sel);
	*(unsigned *)dst = m;
	return 0;
}

int web_page_index(const struct web_workload *wl, const char *name)
{
	for (size_t k = 0; k < wl->npages; k++)
		if (!strcmp(wl->pages[k].name, name))
			return (int)k;
	return -1;
}

int web_page_by_path(const struct web_workload *wl, const char *path)
{
	for (size_t k = 0; k < wl->npages; k++)
		if (!wl->pages[k].download && !strcmp(wl->pages[k].path, path))
			return (int)k;
	return -1;
}

const struct web_image *web_page_image(const struct web_workload *wl, const struct web_page *page,
				       size_t k)
{
	return &wl->images[page->files[k] - 1];
}

uint64_t web_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double web_rng_unit(uint64_t *state)
{
	return (double)(web_rng_next(state) >> 11) * 0x1.0p-53;
}

int web_next_page(const struct web_workload *wl, int cur, double u)
{
	const struct web_row *r;
	double acc = 0;

	if (cur < 0 || (size_t)cur >= wl->npages)
		return WEB_END;
	r = &wl->rows[cur];
	for (unsigned k = 0; k < r->n; k++) {
		acc += r->t[k].p;
		if (u < acc)
			return r->t[k].next;
	}
	return r->t[r->n - 1].next;
}

uint32_t web_think_ms(const struct web_workload *wl, double u)
{
	double t = -log(1.0 - u) * wl->think_mean_ms;

	return t > wl->think_max_ms ? wl->think_max_ms : (uint32_t)t;
}

unsigned web_keepalive_requests(double u)
{
	return WEB_KEEPALIVE_MIN + (unsigned)(u * (WEB_KEEPALIVE_MAX - WEB_KEEPALIVE_MIN + 1));
}

void web_page_query(const struct web_page *page, uint32_t user, uint64_t *rng, struct sbuf *out)
{
	for (unsigned k = 0; k < page->nparams; k++) {
		const struct web_param *p = &page->params[k];
		uint64_t r = web_rng_next(rng);
		size_t nw = 0;

		sbuf_printf(out, "%s%s=", k ? "&" : "", p->name);
		switch (p->kind) {
		case WEB_P_USER:
			sbuf_printf(out, "%u", user);
			break;
		case WEB_P_INT:
			sbuf_printf(out, "%u", p->lo + (unsigned)(r % (p->hi - p->lo + 1)));
			break;
		case WEB_P_MONEY:
			sbuf_printf(out, "%u.%02u", p->lo + (unsigned)(r % (p->hi - p->lo + 1)),
				    (unsigned)((r >> 32) % 100));
			break;
		case WEB_P_WORD:
			while (p->words[nw])
				nw++;
			sbuf_puts(out, p->words[r % nw]);
			break;
		}
	}
}

unsigned web_dirs_for_sessions(unsigned sessions)
{
	unsigned d = (sessions + 3) / 4;

	return d ? d : 1;
}

void web_check_image(uint32_t user, unsigned check_no, bool front, unsigned folders, char *path,
		     size_t len, uint32_t *size)
{
	unsigned dir = folders ? user % folders : 0;

	/* every user of a folder shares its images: the folder holds one set */
	snprintf(path, len, "bank/checks/dir%05u/check%u_%c.jpg", dir, check_no, front ? 'f' : 'b');
	*size = front ? WEB_CHECK_BASE_FRONT + check_no * WEB_CHECK_INCR_FRONT
		      : WEB_CHECK_BASE_BACK + check_no * WEB_CHECK_INCR_BACK;
}

static const uint32_t prd_first[WEB_PRODUCT_KINDS] = { 3521, 6710, 5327 };
static const uint32_t prd_step[WEB_PRODUCT_KINDS] = { 1586, 3590, 3911 };

void web_product_image(unsigned dir, unsigned kind, unsigned k, char *path, size_t len,
		       uint32_t *size)
{
	snprintf(path, len, "ecommerce/products/dir%05u/p%u_%u.jpg", dir, kind, k);
	*size = prd_first[kind % WEB_PRODUCT_KINDS] + (k % WEB_PRODUCT_SIZES) * prd_step[kind % WEB_PRODUCT_KINDS];
}

const struct web_dl_class *web_dl_class(unsigned cls)
{
	return cls < WEB_DL_CLASSES ? &dl_classes[cls] : NULL;
}

void web_download(unsigned dir, unsigned cls, unsigned k, char *path, size_t len, uint32_t *size)
{
	const struct web_dl_class *c = &dl_classes[cls % WEB_DL_CLASSES];

	snprintf(path, len, "support/downloads/dir%05u/class%u_%u", dir, cls, k);
	*size = c->first_bytes + k * c->step_bytes;
}

void web_pick_download(const struct web_workload *wl, unsigned dirs, double u1, double u2,
		       double u3, unsigned *dir, unsigned *cls, unsigned *k)
{
	double norm = 0, acc = 0, alpha = wl->zipf_alpha > 0 ? wl->zipf_alpha : 1.0;
	unsigned c;

	for (unsigned d = 1; d <= dirs; d++)
		norm += 1.0 / pow(d, alpha);
	*dir = dirs ? dirs - 1 : 0;
	for (unsigned d = 1; d <= dirs; d++) {
		acc += 1.0 / pow(d, alpha) / norm;
		if (u1 < acc) {
			*dir = d - 1;
			break;
		}
	}
	acc = 0;
	for (c = 0; c + 1 < WEB_DL_CLASSES; c++) {
		acc += dl_classes[c].p;
		if (u2 < acc)
			break;
	}
	*cls = c;
	acc = 0;
	*k = dl_classes[c].nfiles - 1;
	for (unsigned f = 0; f < dl_classes[c].nfiles; f++) {
		acc += dl_classes[c].file_p[f];
		if (u3 < acc) {
			*k = f;
			break;
		}
	}
}
